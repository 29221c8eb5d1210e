"""What each service keeps no longer than its period (shared/retention.py), on SQLite and
PostgreSQL: what has passed it goes, or is anonymised where it still counts; what has not, or
is still to be done, stays."""
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from sqlalchemy import delete, func, insert, select

from doorstroom.chain import PROJECT_ROOT, SERVICES
from doorstroom.privacy import render
from doorstroom.up import key_files
from services.intake import handlers as intake_handlers
from services.intake.domain import Participant
from services.intake.service import IntakeService
from services.matching.service import MatchingService
from services.notifications import handlers as notifications_handlers
from services.notifications.domain import Delivery, DeliveryStatus
from services.notifications.service import NotificationsService
from services.placement import handlers as placement_handlers
from services.placement.domain import ParticipantRecord, Placement
from services.placement.service import PlacementService
from services.training import handlers as training_handlers
from services.training.service import TrainingService
from services.training.tests.test_handlers import admit, cohort
from shared import migrations, retention
from shared.audit import PersonalDataRead
from shared.events import new_event, read_event
from shared.store import make_engine, session_factory
from tests.databases import KINDS, fresh_database

SERVICE_CLASSES = {service.name: service for service in (
    IntakeService, TrainingService, MatchingService, PlacementService, NotificationsService)}
NOW = datetime.now(timezone.utc)
TODAY = NOW.date()
LONG_AGO = NOW - timedelta(days=800)
LATELY = NOW - timedelta(hours=2)


@pytest.fixture(params=KINDS)
def store(request, tmp_path):
    """A fresh, migrated database for one service: yields a function that gives its units of
    work."""
    made = []

    def units_of_work(service):
        if made:
            return made[0]
        database = fresh_database(request.param, tmp_path)
        url = database.__enter__()
        migrations.upgrade(service, url)
        engine = make_engine(url)
        service_class = SERVICE_CLASSES[service]
        uow_class = service_class.uow.uow_class
        config = {"TRAINING_DEMAND": "", **key_files(service, tmp_path)}
        # What the service's providers make of its configuration (intake's vault), and do when
        # it starts (notifications sets up its default recipients).
        resources = {**uow_class.resources(config),
                     **{name: getattr(service_class, name).make(config)
                        for name in service_class.uow.uses}}
        service_class.uow.prepare(session_factory(engine), resources)
        made.append(lambda: uow_class(session_factory(engine), **resources))
        made.extend([engine, database])
        return made[0]

    yield units_of_work
    if made:
        made[1].dispose()
        made[2].__exit__(None, None, None)


def purge(uow, **settings):
    return retention.purge(uow, retention.cutoffs(uow.service, settings, NOW))


def count(uow, table):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(table))


@pytest.mark.parametrize("service", SERVICES)
def test_handled_ids_published_facts_and_request_answers_go_after_their_period(store, service):
    uow = store(service)()
    with uow:
        # Not this test's: the facts recorded at start (training's catalogue).
        uow.session.execute(delete(uow.outbox))
        for handled_at in (LONG_AGO, LATELY):
            uow.session.execute(insert(uow.inbox).values(
                source="intake", event_id=str(uuid.uuid4()), event_type="participant.admitted",
                handled_at=handled_at))
        for published_at in (LONG_AGO, LATELY, None):
            uow.session.execute(insert(uow.outbox).values(
                event_id=str(uuid.uuid4()), event_type="x", envelope={}, recorded_at=LONG_AGO,
                published_at=published_at))
        for received_at in (NOW - timedelta(days=2), LATELY):
            uow.session.execute(insert(uow.keyed_requests).values(
                caller="a", key=str(uuid.uuid4()), fingerprint="f", received_at=received_at))
        uow.commit()
    purged = purge(uow)
    assert (purged[retention.HANDLED_FACT_IDS], purged[retention.PUBLISHED_FACTS],
            purged[retention.REQUEST_ANSWERS]) == (1, 1, 1)
    assert (count(uow, uow.inbox), count(uow, uow.outbox), count(uow, uow.keyed_requests)) \
        == (1, 2, 1)
    with uow:
        # The fact never published stays, however old.
        assert uow.session.scalar(select(func.count()).select_from(uow.outbox)
                                  .where(uow.outbox.c.published_at.is_(None))) == 1
    # A period is a setting: with a longer one, nothing more goes.
    assert not any(purge(uow, RETAIN_HANDLED_FACT_IDS_DAYS=1000).values())


def test_notifications_done_before_the_period_go_those_to_do_stay(store):
    uow = store("notifications")()
    made = {}
    with uow:
        for status in DeliveryStatus:
            for created_at in (LONG_AGO, LATELY):
                delivery = Delivery(
                    id=str(uuid.uuid4()), recipient_id=str(uuid.uuid4()), channel="inbox",
                    event_source="intake", event_id=str(uuid.uuid4()), event_type="x",
                    envelope={"subject": "someone"}, summary="s", created_at=created_at,
                    status=status, attempts=[])
                uow.deliveries.add(delivery)
                made[delivery.id] = (status, created_at)
        uow.commit()
    assert purge(uow)[retention.DELIVERIES] == 2
    with uow:
        left = {d.id for d in uow.deliveries.where()}
    assert {made[id] for id in set(made) - left} == {(DeliveryStatus.DELIVERED, LONG_AGO),
                                                     (DeliveryStatus.FAILED, LONG_AGO)}


def fact(event_type, **data):
    return read_event(new_event("intake", event_type, data, subject=data["participant_id"])
                      .to_json(), event_type)


def test_a_withdrawal_reaches_whoever_was_told_though_the_deliveries_are_purged(store):
    """The work company was told of an admission for training; its delivery is purged after
    its period, and a later withdrawal of consent for training still reaches it."""
    uow = store("notifications")()
    participant = str(uuid.uuid4())
    notifications_handlers.deliver_consent(uow, fact(
        "participant.consent_given", participant_id=participant, purpose="training",
        legal_basis="consent", given_at=LONG_AGO.isoformat()), now=LONG_AGO)
    notifications_handlers.deliver_intake_fact(uow, fact(
        "participant.admitted", participant_id=participant, target_group="detainee-last-phase",
        municipality="0505", expected_release_date="2027-03-01", language_level="B1",
        preferred_sectors=["logistics"]), now=LONG_AGO)
    with uow:
        [work_company] = [r for r in uow.recipients.where() if r.kind == "work-company"]
        its_own = Delivery.recipient_id == work_company.id
        assert {d.event_type for d in uow.deliveries.where(its_own)} == {"participant.admitted"}
    assert purge(uow)[retention.DELIVERIES] >= 1
    with uow:
        assert not uow.deliveries.about(participant)
    notifications_handlers.deliver_withdrawal(uow, fact(
        "participant.consent_withdrawn", participant_id=participant, purpose="training",
        withdrawn_at=NOW.isoformat()))
    with uow:
        told = [d.event_type for d in uow.deliveries.where(its_own)]
        assert told == ["participant.consent_withdrawn"]
        # Told once: nothing more is kept of whom it informed of this participant for training.
        assert uow.informed.take(participant, "training") == []


def test_programmes_that_ended_before_the_period_are_anonymised_and_still_counted(store):
    uow = store("training")()
    c = cohort(uow, places=3)
    long_gone, lately_gone, active = admit(uow), admit(uow), admit(uow)
    with uow:
        held = uow.cohorts.get(c.id)
        held.record_session(held.starts_on, [long_gone, active], [lately_gone],
                            today=held.starts_on)
        uow.commit()
    training_handlers.drop_out(uow, long_gone, "health", today=TODAY - timedelta(days=400))
    training_handlers.drop_out(uow, lately_gone, "health", today=TODAY - timedelta(days=10))
    assert purge(uow)[retention.ENDED_PROGRAMMES] == 1
    with uow:
        programmes = {p.participant_id: p for p in uow.programmes.where()}
        held = uow.cohorts.get(c.id)
        assert long_gone not in programmes and {lately_gone, active} <= set(programmes)
        [anonymised] = [p for p in programmes.values() if p.anonymised]
        assert anonymised.drop_out_reason == "health"
        assert not held.knows(long_gone)
        assert held.knows(anonymised.participant_id) and held.knows(lately_gone)
    assert purge(uow)[retention.ENDED_PROGRAMMES] == 0


def test_what_the_pi_heard_of_a_journey_goes_after_its_period(store):
    uow = store("intake")()
    with uow:
        participant = Participant.register("detainee-last-phase", "PI Dordrecht", "0505",
                                           TODAY + timedelta(days=60), TODAY)
        uow.participants.add(participant)
        uow.commit()
    for happened in (LONG_AGO, LATELY):
        intake_handlers.note_in_journey(uow, replace(new_event(
            "training", "training.dropped_out", {"participant_id": participant.id,
                                                 "programme_id": str(uuid.uuid4()),
                                                 "reason": "health"},
            subject=participant.id), time=happened.isoformat()))
    assert purge(uow)[retention.JOURNEYS] == 1
    with uow:
        [kept] = uow.journeys.of(participant.id)
        assert kept.happened_at == LATELY
    assert purge(uow)[retention.JOURNEYS] == 0


def placement(uow, participant_id, ended_on=None, started_on=TODAY - timedelta(days=1200)):
    planned = Placement.plan(str(uuid.uuid4()), participant_id, str(uuid.uuid4()),
                             str(uuid.uuid4()), "warehouse-worker", started_on, 32)
    planned.start("paid-temporary", 32, 1500, "coach", started_on, today=TODAY,
                  minimum_wage=uow.minimum_wage)
    if ended_on is not None:
        planned.end("contract-ended", ended_on, today=TODAY)
    uow.placements.add(planned)
    return planned.id


def test_placements_that_ended_before_the_period_are_anonymised_and_the_reports_unchanged(
        store):
    uow = store("placement")()
    ended_long_ago, ended_lately, still_working = (str(uuid.uuid4()) for _ in range(3))
    with uow:
        for participant_id in (ended_long_ago, ended_lately, still_working):
            uow.participants.add(ParticipantRecord(participant_id, "detainee-last-phase", "0505",
                                                   TODAY - timedelta(days=1300)))
        placement(uow, ended_long_ago, ended_on=TODAY - timedelta(days=1000))
        placement(uow, ended_lately, ended_on=TODAY - timedelta(days=100))
        placement(uow, still_working)
        uow.commit()

    def report():
        return [placement_handlers.outcome_report(uow, group, TODAY - timedelta(days=2000),
                                                  TODAY, TODAY)
                for group in ("target_group", "municipality")]

    before = report()
    assert purge(uow)[retention.ENDED_PLACEMENTS] == 1
    assert report() == before
    with uow:
        named = {p.participant_id for p in uow.placements.where()}
        assert ended_long_ago not in named and {ended_lately, still_working} <= named
        assert uow.participants.find(ended_long_ago) is None
        [anonymised] = [p for p in uow.placements.where() if p.anonymised]
        assert anonymised.check_ins == [] and anonymised.ended_on is not None
    assert purge(uow)[retention.ENDED_PLACEMENTS] == 0


def test_every_period_is_in_the_register_and_the_config_of_the_services_it_applies_to():
    register = render()
    for period in retention.RETENTION:
        assert period.what in register
        for service in period.services:
            config = yaml.safe_load((PROJECT_ROOT / "services" / service / "config.yaml")
                                    .read_text())
            if period.setting:
                assert config[period.setting] == f"${{{period.setting}:{period.days}}}"


@pytest.mark.parametrize("service", ["intake", "matching"])
def test_audit_entries_past_their_term_go_and_the_chain_still_checks(store, service):
    uow = store(service)()
    participant = str(uuid.uuid4())
    with uow:
        uow.audit.append(*(PersonalDataRead(participant, "a.jansen", "operator", "operator",
                                            ("facts",), read_at)
                           for read_at in (LONG_AGO, LONG_AGO, LATELY)))
        uow.commit()
    assert purge(uow, RETAIN_AUDIT_DAYS=700)[retention.AUDIT_ENTRIES] == 2
    with uow:
        [kept] = uow.audit.reads()
        checked = uow.audit.check()
    assert kept.position == 3 and checked.intact and checked.entries == 3
    # A log purged from its start is checked as strictly as before: an entry changed shows.
    with uow:
        uow.session.execute(uow.audit_entries.update().values(reader="someone else"))
        uow.commit()
    with uow:
        assert uow.audit.check().broken_at == 3
