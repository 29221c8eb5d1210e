"""Training's use cases on a real SQLite database: waiting lists, re-planning, withdrawal and
erasure."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.training import handlers
from services.training.store import TrainingUnitOfWork, metadata
from shared import clock
from shared.errors import Conflict, Invalid
from shared.events import new_event, read_event
from shared.http import Caller
from shared.store import make_engine, session_factory

TODAY = clock.today()


@pytest.fixture
def uow(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'training.db'}")
    metadata.create_all(engine)
    TrainingUnitOfWork.prepare(session_factory(engine))
    yield TrainingUnitOfWork(session_factory(engine), demand_fallback=("forklift",))
    engine.dispose()


def fact(event_type, **data):
    return read_event(new_event("intake", event_type, data, subject=data["participant_id"])
                      .to_json(), event_type)


def admit(uow, language="B1", release=TODAY + timedelta(days=120)):
    participant_id = str(uuid.uuid4())
    handlers.enrol_admitted_participant(uow, fact(
        "participant.admitted", participant_id=participant_id, target_group="detainee-last-phase",
        municipality="0505", expected_release_date=str(release), language_level=language,
        preferred_sectors=["logistics"]))
    return participant_id


def recorded(uow, event_type=None):
    with uow:
        rows = uow.session.execute(select(uow.outbox).order_by(uow.outbox.c.seq))
        return [row.envelope for row in rows
                if event_type in (None, row.envelope["type"])]


def cohort(uow, module="employee-skills", places=2, starts_in_days=7):
    start = TODAY + timedelta(days=starts_in_days)
    return handlers.plan_cohort(uow, module, start, start + timedelta(weeks=4), places, "Anna")


TRAINER = Caller("a.trainer", "trainer", "work-company")


def programme(uow, participant_id):
    return handlers.programme_overview(uow, participant_id, TRAINER, TODAY)


def test_without_a_cohort_admitted_participants_wait_in_order_and_fill_a_new_cohort(uow):
    first, second, third = admit(uow), admit(uow), admit(uow)
    waitlisted = recorded(uow, "training.waitlisted")
    assert [(f["subject"], f["data"]["position"]) for f in waitlisted] == [
        (first, 1), (second, 2), (third, 3)]
    c = cohort(uow, places=2)
    assert c.members == [first, second]
    enrolled = recorded(uow, "training.enrolled")
    assert [f["subject"] for f in enrolled] == [first, second]
    with uow:
        assert uow.waiting.waiting_for("employee-skills") == [third]


def test_a_freed_place_goes_to_the_first_in_line(uow):
    c = cohort(uow, places=1)
    first, second, third = admit(uow), admit(uow), admit(uow)
    handlers.drop_out(uow, first, "health")
    with uow:
        assert uow.cohorts.get(c.id).members == [second]
        assert uow.waiting.waiting_for("employee-skills") == [third]
    assert programme(uow, second)["steps"][0]["status"].value == "enrolled"
    assert [(f["type"], f["subject"]) for f in recorded(uow)][-2:] == [
        ("training.enrolled", second), ("training.dropped_out", first)]


def test_a_duplicate_admission_does_not_enrol_twice(uow):
    cohort(uow)
    admitted = fact("participant.admitted", participant_id=str(uuid.uuid4()),
                    target_group="detainee-last-phase", municipality="0505",
                    expected_release_date=str(TODAY + timedelta(days=90)), language_level="B1",
                    preferred_sectors=["logistics"])
    assert handlers.enrol_admitted_participant(uow, admitted) is True
    assert handlers.enrol_admitted_participant(uow, admitted) is False
    assert len(recorded(uow, "training.enrolled")) == 1


def test_passing_moves_on_to_the_next_module_and_completing_publishes_the_certificates(uow):
    cohort(uow)
    cohort(uow, "forklift")
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", True, TODAY)
    assert [s["status"].value for s in programme(uow, participant)["steps"]] == [
        "passed", "enrolled"]
    handlers.record_result(uow, participant, "forklift", True, TODAY)
    [awarded] = [f for f in recorded(uow, "training.certificate_awarded")
                 if f["data"]["module"] == "forklift"]
    assert awarded["data"]["expires_on"] == str(TODAY.replace(year=TODAY.year + 5))
    assert awarded["data"]["number"].startswith(f"DS-{TODAY.year}-")
    [completed] = recorded(uow, "training.programme_completed")
    assert completed["data"]["certificates"] == ["employee-skills", "forklift"]


def test_a_result_for_a_module_not_followed_is_refused(uow):
    participant = admit(uow)  # waiting: no cohort yet
    with pytest.raises(Conflict):
        handlers.record_result(uow, participant, "employee-skills", True, TODAY)
    assert recorded(uow, "training.module_completed") == []


def correct(uow, participant, module, passed, completed_on=TODAY, reason="entry-error",
            seen=None):
    """Correct the latest result, as seen (by default, as it is now)."""
    if seen is None:
        [latest] = [r for r in programme(uow, participant)["results"] if r.module == module][-1:]
        seen = (latest.passed, latest.completed_on)
    return handlers.correct_result(uow, participant, module, passed, completed_on, reason,
                                   corrected_by="a.trainer", previous_passed=seen[0],
                                   previous_completed_on=seen[1])


def test_a_result_corrected_to_a_pass_awards_the_certificate_and_moves_on(uow):
    cohort(uow, places=1)
    cohort(uow, "forklift")
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", False, TODAY)
    retake = cohort(uow, places=1, starts_in_days=40)
    handlers.enrol_in_module(uow, participant, "employee-skills")
    waiting = admit(uow)  # the first cohort is full, the retake's holds the participant
    assert retake.id in [s["cohort_id"] for s in programme(uow, participant)["steps"]]

    overview = correct(uow, participant, "employee-skills", True)

    assert [s["status"].value for s in overview["steps"]] == ["passed", "enrolled"]
    assert [c.module for c in overview["certificates"]] == ["employee-skills"]
    [correction] = overview["corrections"]
    assert (correction.previous_passed, correction.passed, correction.corrected_by) == (
        False, True, "a.trainer")
    [corrected] = recorded(uow, "training.result_corrected")
    assert corrected["data"] | {"previous_passed": False, "passed": True,
                                "certificate_revoked": None} == corrected["data"]
    assert [f["data"]["module"] for f in recorded(uow, "training.certificate_awarded")] == [
        "employee-skills"]
    # The retake's place went to the first in line.
    assert retake.id in [s["cohort_id"] for s in programme(uow, waiting)["steps"]]


def test_a_pass_corrected_to_a_fail_takes_the_certificate_back(uow):
    cohort(uow)
    participant = admit(uow)  # no forklift cohort: waits for it
    handlers.record_result(uow, participant, "employee-skills", True, TODAY)

    overview = correct(uow, participant, "employee-skills", False)

    # It waits for forklift no more: forklift needs the pass it no longer has.
    assert [s["status"].value for s in overview["steps"]] == ["failed", "planned"]
    with uow:
        assert uow.waiting.waiting_for("forklift") == []
    assert overview["certificates"] == []
    [corrected] = recorded(uow, "training.result_corrected")
    assert corrected["data"]["certificate_revoked"] == "employee-skills"
    # A retake is as after any fail.
    cohort(uow, starts_in_days=40)
    handlers.enrol_in_module(uow, participant, "employee-skills")
    assert programme(uow, participant)["steps"][0]["status"].value == "enrolled"


def test_a_correction_of_a_result_recorded_meanwhile_is_refused(uow):
    cohort(uow, places=1)
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", False, TODAY - timedelta(days=1))
    seen = (False, TODAY - timedelta(days=1))
    cohort(uow, places=1, starts_in_days=40)
    handlers.enrol_in_module(uow, participant, "employee-skills")
    handlers.record_result(uow, participant, "employee-skills", True, TODAY)  # the retake
    with pytest.raises(Conflict, match="is now a pass"):
        correct(uow, participant, "employee-skills", True, TODAY - timedelta(days=1), seen=seen)
    with pytest.raises(Invalid) as unknown:
        correct(uow, participant, "forklift", True, seen=(False, TODAY))
    assert unknown.value.field == "module"


def test_a_fail_put_right_keeps_the_cohort_it_was_followed_in(uow):
    followed = cohort(uow)
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", False, TODAY)
    overview = correct(uow, participant, "employee-skills", True)
    assert overview["steps"][0]["cohort_id"] == followed.id


def test_a_pass_the_route_went_on_from_cannot_become_a_fail(uow):
    cohort(uow)
    cohort(uow, "forklift")
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", True, TODAY)
    with pytest.raises(Conflict, match="forklift was taken after the pass"):
        correct(uow, participant, "employee-skills", False)
    handlers.record_result(uow, participant, "forklift", True, TODAY)
    with pytest.raises(Conflict, match="completed"):  # announced to the chain as complete
        correct(uow, participant, "forklift", False)
    assert recorded(uow, "training.result_corrected") == []


def test_a_corrected_day_of_a_pass_dates_its_certificate_again(uow):
    cohort(uow)
    cohort(uow, "forklift")
    participant = admit(uow)
    handlers.record_result(uow, participant, "employee-skills", True, TODAY)
    handlers.record_result(uow, participant, "forklift", True, TODAY)
    earlier = TODAY - timedelta(days=3)

    overview = correct(uow, participant, "forklift", True, earlier, "recorded-in-advance")

    [forklift] = [c for c in overview["certificates"] if c.module == "forklift"]
    assert (forklift.issued_on, forklift.expires_on) == (earlier, _years_on(earlier, 5))
    assert overview["status"].value == "completed"
    with pytest.raises(Invalid, match="recorded so already"):
        correct(uow, participant, "forklift", True, earlier)
    with pytest.raises(Invalid) as future:
        correct(uow, participant, "forklift", True, TODAY + timedelta(days=1))
    assert future.value.field == "completed_on"


def _years_on(day, years):
    return day.replace(year=day.year + years)


def test_a_changed_release_date_replans_the_programme(uow):
    cohort(uow)
    participant = admit(uow, release=TODAY + timedelta(days=365))
    assert programme(uow, participant)["finishes_before_release"]
    handlers.replan_for_release_date(uow, fact(
        "participant.release_date_changed", participant_id=participant,
        expected_release_date=str(TODAY + timedelta(days=10)),
        previous_release_date=str(TODAY + timedelta(days=365))))
    overview = programme(uow, participant)
    assert overview["release_date"] == TODAY + timedelta(days=10)
    assert not overview["finishes_before_release"]


def test_a_withdrawn_participant_ends_the_programme_and_frees_the_place(uow):
    c = cohort(uow, places=1)
    leaving, waiting = admit(uow), admit(uow)
    handlers.end_for_withdrawn_participant(uow, fact(
        "participant.withdrawn", participant_id=leaving, reason="recalled-to-custody",
        withdrawn_on=str(TODAY)))
    assert programme(uow, leaving)["status"].value == "ended"
    with uow:
        assert uow.cohorts.get(c.id).members == [waiting]
    [dropped] = recorded(uow, "training.dropped_out")
    assert dropped["data"]["reason"] == "left-the-chain"


def test_consent_withdrawal_leaves_no_trace_of_the_participant(uow, tmp_path):
    c = cohort(uow, places=1, starts_in_days=0)
    erased, other = admit(uow), admit(uow)
    handlers.record_attendance(uow, c.id, TODAY, [erased], [])
    withdrawn = fact("participant.consent_withdrawn", participant_id=erased, purpose="training",
                     withdrawn_at="2026-11-20T10:00:00+00:00")
    handlers.erase_on_consent_withdrawal(uow, withdrawn)
    with uow:
        assert uow.programmes.find(erased) is None
        assert not uow.cohorts.get(c.id).knows(erased)
    assert all(f.get("subject") != erased for f in recorded(uow))
    [receipt] = recorded(uow, "training.participant_erased")
    assert receipt["data"] == {"withdrawal_id": withdrawn.id, "purpose": "training"}
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("training.db*"))
    assert erased.encode() not in raw
    assert other.encode() in raw


def test_consent_withdrawn_for_another_purpose_erases_nothing(uow):
    participant = admit(uow)
    handlers.erase_on_consent_withdrawal(uow, fact(
        "participant.consent_withdrawn", participant_id=participant, purpose="matching",
        withdrawn_at="2026-11-20T10:00:00+00:00"))
    assert programme(uow, participant)["status"].value == "active"


def vacancy_fact(event_type, vacancy_id, **data):
    return read_event(new_event("matching", event_type, {
        "vacancy_id": vacancy_id, "employer_id": str(uuid.uuid4()), **data}).to_json(),
        event_type)


def vacancy(vacancy_id, status="open", certificates=("forklift",)):
    return dict(occupation="forklift-driver", sector="logistics",
                required_certificates=list(certificates), municipality="0642",
                hours_per_week=32, start_date=str(TODAY), positions=1, status=status)


def test_demand_follows_the_open_vacancies(uow):
    with uow:
        assert uow.demand.counts() == {(None, "forklift"): 1}  # configured, until vacancies
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    handlers.follow_vacancy(uow, vacancy_fact("vacancy.published", first, **vacancy(first)))
    handlers.follow_vacancy(uow, vacancy_fact("vacancy.published", second, **vacancy(
        second, certificates=("forklift", "vca-basic"))))
    with uow:
        assert uow.demand.counts() == {("logistics", "forklift"): 2, ("logistics", "vca-basic"): 1}
    handlers.follow_vacancy(uow, vacancy_fact("vacancy.changed", first,
                                              **vacancy(first, status="filled")))
    handlers.follow_closed_vacancy(uow, vacancy_fact("vacancy.closed", second, reason="other"))
    with uow:
        assert uow.demand.counts() == {}


def test_the_catalogue_training_starts_with_is_not_told_at_start(tmp_path):
    """Told at start, on a new broker, the facts would go out before their followers' queues
    are there; a module added is told."""
    engine = make_engine(f"sqlite:///{tmp_path / 'training.db'}")
    metadata.create_all(engine)
    uow = TrainingUnitOfWork(session_factory(engine))
    TrainingUnitOfWork.prepare(session_factory(engine))
    assert len(programme_catalogue(uow)) == 8 and recorded(uow, "training.module_added") == []
    handlers.add_module(uow, code="first-aid", name="First aid", weeks=2, places=8,
                        certificate="bhv", issuer="Leerwerkbedrijf")
    [added] = recorded(uow, "training.module_added")
    assert (added["subject"], added["data"]["revision"]) == ("first-aid", 1)
    engine.dispose()


def programme_catalogue(uow):
    with uow:
        return uow.modules.catalogue()
