"""Placement's use cases: plan from accepted matches, follow the job, count what it is worth."""
from functools import partial

from services.placement.domain import (CheckIn, ParticipantRecord, Placement, Status,
                                       outcomes, social_return_ledger)
from shared import clock
from shared.audit import audited_read
from shared.store import (EarlyFact, change_locked, erase_on_withdrawal, handle_fact,
                          keep_order)


# Who may read a placement with its coaching (check-ins, the coach's notes, risk signals); any
# other role that asks is refused by the use case, so that the refusal is logged.
READERS = frozenset({"job-coach"})
COACHING = ("placement", "check_ins")
# Load the placement with a lock, apply a change (whose facts it records) and commit as one.
_change = partial(change_locked, "placements")

# How intake's reasons for withdrawal end a placement.
END_ON_WITHDRAWAL = {"recalled-to-custody": "returned-to-custody", "transferred": "moved-away",
                     "dropped-out": "resigned"}


# --- facts from the chain ---------------------------------------------------------------------

def plan_accepted_match(uow, fact):
    def plan(uow):
        data = fact.data
        if uow.placements.for_match(data["match_id"]) is not None:
            return
        uow.placements.add(Placement.plan(
            data["match_id"], data["participant_id"], data["employer_id"], data["vacancy_id"],
            data["occupation"], data["start_date"], data["hours_per_week"]))
    return handle_fact(uow, fact, plan)


def note_admission(uow, fact):
    """Keep what outcomes need: target group and municipality on admission."""
    def note(uow):
        data = fact.data
        if uow.participants.find(data["participant_id"]) is None:
            uow.participants.add(ParticipantRecord(data["participant_id"], data["target_group"],
                                                   data["municipality"]))
    return handle_fact(uow, fact, note)


def note_release(uow, fact):
    """Outcomes count from the release date."""
    def note(uow):
        record = uow.participants.find(fact.data["participant_id"])
        if record is not None:
            record.released_on = fact.data["released_on"]
    return handle_fact(uow, fact, note)


def correct_release(uow, fact):
    """Outcomes count from the corrected release. The correction is not among intake's ordered
    facts: it waits until the release (or correction) it puts right is applied. Without a
    record (erased on consent withdrawal, or its admission not applied here yet) it changes
    nothing, as a release would not."""
    def correct(uow):
        data = fact.data
        record = uow.participants.find(data["participant_id"])
        if record is None:
            return
        if record.released_on != data["previous_released_on"]:
            raise EarlyFact(f"the release on {data['previous_released_on']} it corrects is not "
                            "applied yet")
        record.released_on = data["released_on"]
    return handle_fact(uow, fact, correct)


def end_for_withdrawn_participant(uow, fact):
    def end(uow):
        reason = END_ON_WITHDRAWAL[fact.data["reason"]]
        for placement in uow.placements.of_participant(fact.data["participant_id"]):
            if placement.status is not Status.ENDED:
                placement.end(reason, fact.data["withdrawn_on"], today=clock.today())
    return handle_fact(uow, fact, end)


def anonymise_on_consent_withdrawal(uow, fact):
    """Consent for placement follow-up is gone: placements keep counting for social return,
    but no longer name the participant, and the coach's notes are erased."""
    def anonymise(uow, participant_id):
        for placement in uow.placements.of_participant(participant_id):
            placement.anonymise()
        record = uow.participants.find(participant_id)
        if record is not None:
            uow.participants.erase(record)
    erase_on_withdrawal(uow, fact, "placement-follow-up", anonymise)


# The facts placement follows, by producer: its queues are made from this table alone
# (shared/consumer.py follow).
FOLLOWS = {
    "matching": {"match.accepted": plan_accepted_match},
    # Intake's facts about a participant are applied in the order intake recorded them,
    # whatever the number of workers and instances (docs/ordering.md, where the tests are).
    "intake": {
        "participant.admitted": note_admission,
        "participant.released": note_release,
        "participant.release_corrected": correct_release,
        "participant.withdrawn": end_for_withdrawn_participant,
        "participant.consent_withdrawn": anonymise_on_consent_withdrawal,
        # Placement plans nothing by the expected release or a consent, but they are among
        # intake's ordered facts.
        "participant.release_date_changed": keep_order,
        "participant.consent_given": keep_order,
    },
}


# --- job coaches ----------------------------------------------------------------------------

def start_placement(uow, placement_id, started_on, subsidy=None, **terms):
    return _change(uow, placement_id, lambda placement: placement.start(
        started_on=started_on, subsidy=subsidy, today=clock.today(),
        minimum_wage=uow.minimum_wage, **terms))


def end_placement(uow, placement_id, reason, ended_on):
    return _change(uow, placement_id,
                   lambda placement: placement.end(reason, ended_on, today=clock.today()))


def correct_start(uow, placement_id, started_on, reason, corrected_by, age_on_start=None,
                  previous_started_on=None):
    """Put a recorded start right; milestones are reckoned again from the corrected day
    (test_a_corrected_start_reckons_the_milestones_again)."""
    return _change(uow, placement_id, lambda placement: placement.correct_start(
        started_on, reason, corrected_by, age_on_start, previous_started_on,
        today=clock.today(), minimum_wage=uow.minimum_wage))


def correct_end(uow, placement_id, ended_on, reason, corrected_by, previous_ended_on=None):
    return _change(uow, placement_id, lambda placement: placement.correct_end(
        ended_on, reason, corrected_by, previous_ended_on, today=clock.today()))


def check_in(uow, placement_id, held_on, coach, notes, risk):
    return _change(uow, placement_id, lambda placement: placement.check_in(
        CheckIn(held_on, coach, notes, risk), today=clock.today()))


def record_milestones(uow, today=None):
    """The scheduled check: milestones reached by `today`, each published once
    (test_an_accepted_match_is_planned_started_and_followed_to_six_months_once,
    test_two_milestone_checks_at_once_record_each_once)."""
    today = today or clock.today()
    with uow:
        count = sum(len(placement.reach_milestones(today))
                    for placement in uow.placements.in_work())
        uow.commit()
    return count


def ledger(uow, period_start, period_end, employer_id=None, today=None):
    with uow:
        placements = uow.placements.started_before(period_end, employer_id)
        groups = {pid: record.target_group for pid, record in uow.participants.by_id(
            p.participant_id for p in placements).items()}
        return social_return_ledger(placements, groups, uow.rules, period_start, period_end,
                                    today or clock.today())


def outcome_report(uow, group_by, period_start, period_end, today=None):
    with uow:
        placements = [p for p in uow.placements.started_before(period_end)
                      if p.started_on >= period_start]
        people = uow.participants.by_id(p.participant_id for p in placements)
        return outcomes(placements, people, today or clock.today(), group_by)


def read_placement(uow, placement_id, reader, now=None):
    """One placement with its coaching; every attempt is logged as a read of its participant."""
    return audited_read(uow, reader, READERS, None, COACHING,
                        lambda: uow.placements.get(placement_id), _coached, now)


def list_placements(uow, reader, query, now=None):
    """A page of placements with their coaching; each one listed is a read of its participant."""
    return audited_read(uow, reader, READERS, query.get("participant_id"), COACHING,
                        lambda: uow.placements.list(**query), _coached, now)


def _coached(found):
    return [(placement.participant_id, COACHING)
            for placement in (found if isinstance(found, list) else [found])]
