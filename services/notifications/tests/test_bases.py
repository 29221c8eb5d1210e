"""A fact about a participant reaches a recipient or an integrator only while every basis its
purpose for them needs (shared/contracts/policy.py, needed_for) holds, as intake recorded it:
from participant.consent_given until participant.consent_withdrawn; unknown means no. Of the
participants notifications knew before it recorded these bases (notifications_0005),
organisations hear as they did. Through notifications' use cases, on a database migrated as
production's is, on SQLite and PostgreSQL."""
import uuid

import pytest
from sqlalchemy import insert, select

from services.notifications import handlers
from services.notifications.domain import Delivery, Recipient
from services.notifications.store import NotificationsUnitOfWork, participant_places
from services.notifications.tests.test_messages import SAMPLES
from shared import migrations
from shared.contracts import all_contracts, policy
from shared.events import new_event
from shared.store import make_engine, session_factory

# Participants notifications knew before it recorded bases: one without a basis for informing
# the municipality, one with.
KNOWN_BEFORE, INFORMED_BEFORE = str(uuid.uuid4()), str(uuid.uuid4())
PRODUCERS = {"participant": "intake", "training": "training", "placement": "placement"}


@pytest.fixture(scope="module")
def engine(database_url):
    """Notifications' database as the release before kept it, with the participants it knew
    then, migrated to this release."""
    migrations.upgrade("notifications", database_url, "notifications_0004")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for participant, informs in ((KNOWN_BEFORE, False), (INFORMED_BEFORE, True)):
            connection.execute(insert(participant_places).values(
                participant_id=participant, municipality="0505", informs_municipality=informs))
    migrations.upgrade("notifications", database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    return NotificationsUnitOfWork(session_factory(engine))


@pytest.fixture
def job_coach(monkeypatch):
    """An integrator that follows placements on the participant's consent for it, as the
    policy may name one: notifications forwards from the policy as it stands."""
    milestone = "placement.milestone_reached"
    monkeypatch.setitem(policy.RECEIVERS, milestone, {
        **policy.RECEIVERS[milestone], "integrator:job-coach": "placement-follow-up"})
    return "job-coach"


def recipient(uow, organisation, *patterns):
    """A new inbox of the organisation, subscribed to the patterns; its id."""
    registered = Recipient.register(f"inbox-{uuid.uuid4()}", organisation)
    recipient_id = registered.id
    with uow:
        uow.recipients.add(registered)
        for pattern in patterns:
            uow.subscriptions.add(registered.subscribe(pattern, all_contracts()))
        uow.commit()
    return recipient_id


def fact(uow, event_type, participant, **data):
    """The fact about the participant, as its producer publishes it, handled."""
    producer = PRODUCERS[event_type.split(".")[0]]
    handlers.FOLLOWS[producer][event_type](uow, new_event(
        producer, event_type,
        {**SAMPLES[event_type], "participant_id": participant, **data}, subject=participant))


def consent(uow, participant, purpose):
    fact(uow, "participant.consent_given", participant, purpose=purpose, legal_basis="consent")


def withdraw(uow, participant, purpose):
    fact(uow, "participant.consent_withdrawn", participant, purpose=purpose)


def heard(uow, recipient_id, participant):
    """What the recipient holds about the participant, by type, in order."""
    with uow:
        return [d.event_type for d in sorted(uow.deliveries.about(participant),
                                             key=lambda d: d.created_at)
                if d.recipient_id == recipient_id]


def forwarded(uow, integrator, participant):
    with uow:
        return [copy.event_type for copy in uow.forwards.about(participant)
                if copy.integrator == integrator]


def test_a_work_company_hears_of_training_only_while_the_participant_consents(uow):
    work, pi = recipient(uow, "work-company", "training.*"), recipient(uow, "pi", "training.*")
    social = recipient(uow, "social-service", "training.programme_completed")
    operator = recipient(uow, "operator", "training.*")
    consenting, never_asked = str(uuid.uuid4()), str(uuid.uuid4())
    consent(uow, consenting, "training")
    for participant in (consenting, never_asked):
        fact(uow, "training.enrolled", participant)
        fact(uow, "training.programme_completed", participant)
    assert heard(uow, work, consenting) == ["training.enrolled", "training.programme_completed"]
    assert heard(uow, work, never_asked) == []
    # The social service needs consent for matching, which this participant did not give.
    assert heard(uow, social, consenting) == []
    # The PI follows its participants for its own task, operators hear of every fact.
    assert heard(uow, pi, never_asked) == ["training.programme_completed"]
    assert heard(uow, operator, never_asked) == ["training.enrolled",
                                                 "training.programme_completed"]
    withdraw(uow, consenting, "training")
    fact(uow, "training.module_completed", consenting)
    assert heard(uow, work, consenting) == ["participant.consent_withdrawn"]


def test_the_social_service_hears_of_a_completed_programme_on_consent_for_matching(uow):
    social = recipient(uow, "social-service", "training.programme_completed")
    participant = str(uuid.uuid4())
    consent(uow, participant, "matching")
    fact(uow, "training.programme_completed", participant)
    assert heard(uow, social, participant) == ["training.programme_completed"]


def test_an_integrator_gets_a_fact_for_a_consent_purpose_only_while_its_basis_holds(
        uow, job_coach):
    consenting, never_asked = str(uuid.uuid4()), str(uuid.uuid4())
    consent(uow, consenting, "placement-follow-up")
    for participant in (consenting, never_asked):
        fact(uow, "placement.milestone_reached", participant)
    assert forwarded(uow, job_coach, consenting) == ["placement.milestone_reached"]
    assert forwarded(uow, job_coach, never_asked) == []
    # Social return is counted on the contracting governments' agreements: no consent needed.
    assert forwarded(uow, "social-return-monitor", never_asked) == ["placement.milestone_reached"]
    withdraw(uow, consenting, "placement-follow-up")
    fact(uow, "placement.milestone_reached", consenting, months=6, reached_on="2027-08-01")
    assert forwarded(uow, job_coach, consenting) == ["participant.consent_withdrawn"]


def test_a_participant_known_before_bases_were_recorded_is_heard_of_as_before(
        uow, engine, job_coach):
    with engine.connect() as connection:
        assert set(connection.scalars(select(participant_places.c.bases_known).where(
            participant_places.c.participant_id.in_([KNOWN_BEFORE, INFORMED_BEFORE])))) == {False}
    work = recipient(uow, "work-company", "training.*")
    dordrecht = recipient(uow, "municipality:0505", "participant.released")
    for participant in (KNOWN_BEFORE, INFORMED_BEFORE):
        fact(uow, "training.enrolled", participant)
        fact(uow, "participant.released", participant)
        fact(uow, "placement.milestone_reached", participant)
        assert heard(uow, work, participant) == ["training.enrolled"]
        # Integrators as before: on no basis it did not record.
        assert forwarded(uow, job_coach, participant) == []
    # The municipality, and its integrator, as before: on the basis for informing it only.
    assert heard(uow, dordrecht, KNOWN_BEFORE) == []
    assert heard(uow, dordrecht, INFORMED_BEFORE) == ["participant.released"]
    assert forwarded(uow, "municipality", INFORMED_BEFORE) == ["participant.released"]
    assert forwarded(uow, "municipality", KNOWN_BEFORE) == []
    # A basis recorded since counts for integrators too.
    consent(uow, KNOWN_BEFORE, "placement-follow-up")
    fact(uow, "placement.milestone_reached", KNOWN_BEFORE, months=6, reached_on="2027-08-01")
    assert forwarded(uow, job_coach, KNOWN_BEFORE) == ["placement.milestone_reached"]
    # Once a basis for them is withdrawn, only the bases recorded count: no consent is assumed.
    withdraw(uow, KNOWN_BEFORE, "matching")
    fact(uow, "training.module_completed", KNOWN_BEFORE)
    fact(uow, "placement.milestone_reached", KNOWN_BEFORE, months=1, reached_on="2027-03-01")
    assert heard(uow, work, KNOWN_BEFORE) == ["training.enrolled"]
    assert forwarded(uow, job_coach, KNOWN_BEFORE) == ["placement.milestone_reached"] * 2


def test_a_participant_heard_of_since_is_judged_on_the_bases_recorded(uow):
    work = recipient(uow, "work-company", "training.*")
    participant = str(uuid.uuid4())
    fact(uow, "participant.registered", participant)
    fact(uow, "training.enrolled", participant)
    assert heard(uow, work, participant) == []


def test_a_fact_about_no_participant_needs_no_basis(uow):
    """Training's catalogue and the employer desk's vacancies are shared for purposes whose
    basis is a participant's consent, but are about nobody."""
    desk = recipient(uow, "social-service", "training.module_*", "vacancy.published")
    module = SAMPLES["training.module_added"]
    handlers.deliver_fact(uow, new_event("training", "training.module_added", module,
                                         subject=module["module"]))
    vacancy = SAMPLES["vacancy.published"]
    handlers.deliver_fact(uow, new_event("matching", "vacancy.published", vacancy,
                                         subject=vacancy["vacancy_id"]))
    with uow:
        assert sorted(d.event_type for d in uow.deliveries.where(
            Delivery.recipient_id == desk)) == ["training.module_added", "vacancy.published"]
