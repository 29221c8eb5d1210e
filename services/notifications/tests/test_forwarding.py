"""Notifications forwards integrators their facts, on the real broker, on SQLite and PostgreSQL
with the production worker count: each integrator, under its own account, reads from its own
exchange the facts it is entitled to, about a participant only while their basis holds,
unchanged and in order; then the withdrawal of that basis, and nothing more. A copy the broker
refuses waits where an operator sees it, until retried."""
import json
import time
import uuid

import pika
import pytest
from sqlalchemy import func, select

from services.notifications.forwarding import FORWARDED_FROM_HEADER
from services.notifications.service import NotificationsService
from services.notifications.store import NotificationsUnitOfWork, integrator_outbox
from shared.store import make_engine
from tests.broker import integrator_accounts
from tests.harness import Relay, running_service


@pytest.fixture(scope="module")
def accounts(amqp_uri):
    with integrator_accounts(amqp_uri) as accounts:
        yield accounts


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    # The production worker count; a fact the broker refuses is set aside at its second try.
    with running_service(NotificationsService, amqp_uri, directory, DATABASE_URL=database_url,
                         max_workers=4, OUTBOX_SWEEP_SECONDS=0.2, OUTBOX_MAX_ATTEMPTS=2,
                         OUTBOX_FIRST_RETRY_SECONDS=0.1) as api:
        yield api


@pytest.fixture(scope="module")
def database(api, database_url):
    """Notifications' database, while the service runs on it."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class Integrator:
    """An integrator as examples/integrator.py follows the chain: under its own account, its
    own durable queue bound to everything on its own exchange."""

    def __init__(self, uri, name):
        self.connection = pika.BlockingConnection(pika.URLParameters(uri))
        self.channel = self.connection.channel()
        self.queue, self.exchange = f"integrator-{name}.facts", f"integrator.{name}"
        self.channel.queue_declare(self.queue, durable=True)
        self.bind()
        self.heard = []

    def bind(self):
        self.channel.queue_bind(self.queue, self.exchange, "#")

    def about(self, participant):
        """(envelope, properties) of every fact about the participant in its queue so far."""
        while True:
            method, properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                break
            self.heard.append((json.loads(body), properties))
        return [(envelope, properties) for envelope, properties in self.heard
                if envelope.get("subject") == participant]

    def close(self):
        self.connection.close()


@pytest.fixture(scope="module")
def municipality(accounts, database):
    integrator = Integrator(accounts["integrator-municipality"], "municipality")
    yield integrator
    integrator.close()


@pytest.fixture(scope="module")
def probation(accounts, database):
    integrator = Integrator(accounts["integrator-probation"], "probation")
    yield integrator
    integrator.close()


@pytest.fixture
def relay(producers):
    return Relay(producers)


def settled(database, *envelopes, timeout=30):
    """Wait until notifications handled the facts and the broker confirmed every copy it
    forwards: what the integrators' queues hold then is all they will get of them."""
    inbox, ids = NotificationsUnitOfWork.inbox, {envelope["id"] for envelope in envelopes}
    deadline = time.monotonic() + timeout
    while True:
        with database.connect() as connection:
            handled = set(connection.scalars(select(inbox.c.event_id)
                                             .where(inbox.c.event_id.in_(ids))))
            waiting = connection.scalar(select(func.count()).select_from(integrator_outbox)
                                        .where(integrator_outbox.c.published_at.is_(None)))
        if handled == ids and not waiting:
            return
        assert time.monotonic() < deadline, (len(handled), len(ids), waiting)
        time.sleep(0.1)


def release(relay, participant):
    return [relay.publish("intake", "participant.release_date_changed",
                          participant_id=participant, expected_release_date="2027-03-01",
                          previous_release_date="2027-02-01"),
            relay.publish("intake", "participant.released", participant_id=participant,
                          released_on="2027-01-15", municipality="0505")]


def basis(relay, participant):
    return relay.publish("intake", "participant.consent_given", participant_id=participant,
                         purpose="inform-municipality", legal_basis="legal-obligation",
                         given_at="2027-01-01T09:00:00+00:00")


def start_work(relay, participant):
    return relay.publish("placement", "placement.started", participant_id=participant,
                         placement_id=str(uuid.uuid4()), employer_id=str(uuid.uuid4()),
                         contract_type="paid-temporary", hours_per_week=32,
                         started_on="2027-02-01", wage_cost_subsidy=False)


def types(heard):
    return [envelope["type"] for envelope, _ in heard]


def test_an_integrator_hears_nothing_of_a_participant_without_a_basis(database, relay,
                                                                      municipality, probation):
    never_asked = str(uuid.uuid4())
    settled(database, *release(relay, never_asked), start_work(relay, never_asked))
    assert municipality.about(never_asked) == []
    # The probation service's statutory task needs no basis per participant.
    assert sorted(types(probation.about(never_asked))) == ["participant.released",
                                                            "placement.started"]


def test_with_a_basis_the_integrator_gets_its_facts_in_order_unchanged(database, relay,
                                                                        municipality):
    participant = str(uuid.uuid4())
    admitted = relay.publish("intake", "participant.admitted", participant_id=participant,
                             target_group="detainee-last-phase", municipality="0505",
                             expected_release_date="2027-03-01", language_level="B1",
                             preferred_sectors=["logistics"])
    intake = [basis(relay, participant), admitted, *release(relay, participant)]
    settled(database, *intake)
    started = start_work(relay, participant)  # once intake's are out: one order for all
    settled(database, started)
    heard = municipality.about(participant)
    # The facts it is entitled to, not the basis nor the admission, exactly as published.
    assert [envelope for envelope, _ in heard] == [*intake[2:], started]
    for envelope, properties in heard:
        assert properties.user_id == "doorstroom-notifications"
        assert properties.message_id == envelope["id"]
        assert properties.headers["cloudEvents_id"] == envelope["id"]
        assert properties.headers[FORWARDED_FROM_HEADER] == \
            f"{envelope['source'].rsplit('/', 1)[-1]}.events"


def test_after_the_withdrawal_the_integrator_gets_it_and_nothing_more(database, relay,
                                                                       municipality, probation):
    participant = str(uuid.uuid4())
    before = [basis(relay, participant), *release(relay, participant)]
    settled(database, *before)
    withdrawal = relay.publish("intake", "participant.consent_withdrawn",
                               participant_id=participant, purpose="inform-municipality",
                               withdrawn_at="2027-01-20T09:00:00+00:00")
    settled(database, withdrawal)
    settled(database, start_work(relay, participant),
            relay.publish("intake", "participant.withdrawn", participant_id=participant,
                          reason="transferred", withdrawn_on="2027-02-15"))
    assert [envelope for envelope, _ in municipality.about(participant)] == \
        [*before[1:], withdrawal]
    # What notifications kept of the copies for that purpose is erased, but the withdrawal.
    with database.connect() as connection:
        kept = connection.execute(select(integrator_outbox.c.integrator,
                                         integrator_outbox.c.event_type)
                                  .where(integrator_outbox.c.subject == participant)).all()
    assert ("municipality", "participant.consent_withdrawn") in kept
    assert {event_type for integrator, event_type in kept if integrator == "municipality"} == \
        {"participant.consent_withdrawn"}
    # Probation holds its facts for its own task: it hears on, and of no withdrawal.
    assert sorted(types(probation.about(participant))) == [
        "participant.released", "participant.withdrawn", "placement.started"]


def test_the_wage_reaches_the_municipality_alone_and_a_correction_all_who_heard_the_day(
        database, relay, municipality, probation):
    participant = str(uuid.uuid4())
    settled(database, basis(relay, participant), *release(relay, participant))
    started = start_work(relay, participant)
    placement = {k: started["data"][k] for k in ("placement_id", "employer_id")}
    terms = relay.publish("placement", "placement.terms_agreed", numbered=False,
                          participant_id=participant, **placement,
                          contract_type="paid-temporary", hours_per_week=32,
                          hourly_wage_cents=1525, started_on="2027-02-01",
                          wage_cost_subsidy=False)
    corrected = relay.publish("placement", "placement.start_corrected", numbered=False,
                              participant_id=participant, **placement, started_on="2027-01-25",
                              previous_started_on="2027-02-01", reason="entry-error",
                              milestones_withdrawn=[])
    settled(database, started, terms, corrected)
    heard = types(municipality.about(participant))
    assert {"placement.started", "placement.terms_agreed", "placement.start_corrected"} <= \
        set(heard)
    assert sorted(t for t in types(probation.about(participant)) if t.startswith("placement")) \
        == ["placement.start_corrected", "placement.started"]


def test_a_copy_the_broker_refuses_is_set_aside_shown_and_forwarded_when_retried(
        api, database, relay, channel, probation):
    """Its integrator's exchange is gone (an operator deleted it): the copy is tried twice,
    set aside, counted in /status, and forwarded once the exchange is back and the operator
    retries."""
    channel.exchange_delete(probation.exchange)
    participant = str(uuid.uuid4())
    released = relay.publish("intake", "participant.released", participant_id=participant,
                             released_on="2027-01-15", municipality="0505")
    deadline = time.monotonic() + 30
    while api.call("GET", "/status", "operator").json()["outbox_set_aside"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    channel.exchange_declare(probation.exchange, "topic", durable=True)
    probation.bind()
    assert api.call("POST", "/outbox/retry", "operator").json()["retried"] == 1
    settled(database, released)
    assert [envelope for envelope, _ in probation.about(participant)] == [released]
    assert api.call("GET", "/status", "operator").json()["outbox_set_aside"] == 0
