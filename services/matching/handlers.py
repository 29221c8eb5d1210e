"""Matching's use cases: employers and vacancies for the employer desk, candidate profiles kept
from other services' facts, and proposals made, answered and expired."""
from datetime import timedelta

from services.matching.domain import (Candidate, CandidateStatus, Employer, Proposal,
                                      ProposalStatus, Vacancy, VacancyStatus, assess)
from shared import clock
from shared.audit import audited_read
from shared.store import EarlyFact, erase_on_withdrawal, handle_fact, keep_order


# Who may read candidate profiles and the reasoning about them (what excludes a candidate names
# their restrictions). Any other role that asks is refused by the use case rather than the
# endpoint, so that the refusal is logged.
PROFILE_READERS = frozenset({"employer-desk"})
# What a ranking, a proposal or a candidate's vacancies read of each candidate.
REASONING = ("assessment",)


# --- the employer desk --------------------------------------------------------------------

def register_employer(uow, **details):
    employer = Employer.register(**details)
    with uow:
        uow.employers.add(employer)
        uow.commit()
    return employer


def publish_vacancy(uow, employer_id, now=None, today=None, **details):
    with uow:
        uow.employers.get(employer_id)
        vacancy = Vacancy.publish(employer_id, today or clock.today(), **_tuples(details))
        uow.vacancies.add(vacancy)
        _propose_for_vacancy(uow, vacancy, now or clock.now())
        uow.commit()
    return vacancy


def anyone(aggregate):
    """Lets whoever asks act on the aggregate: the use case's caller was checked already, or
    the service acts for itself."""


def change_vacancy(uow, vacancy_id, authorise=anyone, now=None, today=None, **details):
    """Change a vacancy; pending proposals it no longer allows lapse, and it is ranked again.
    `authorise(vacancy)` raises if the caller may not: checked on the locked vacancy, in the
    change's own transaction."""
    now = now or clock.now()
    with uow:
        vacancy = uow.vacancies.get(vacancy_id, lock=True)
        authorise(vacancy)
        vacancy.change(today or clock.today(), **_tuples(details))
        for proposal in uow.proposals.involving(vacancy_id=vacancy.id,
                                                status=ProposalStatus.PROPOSED):
            candidate = uow.candidates.find(proposal.participant_id)
            if candidate is None or not assess(candidate, vacancy).eligible:
                proposal.expire("vacancy-changed")
        _propose_for_vacancy(uow, vacancy, now)
        uow.commit()
    return vacancy


def close_vacancy(uow, vacancy_id, reason, authorise=anyone):
    with uow:
        vacancy = uow.vacancies.get(vacancy_id, lock=True)
        authorise(vacancy)
        vacancy.close(reason)
        for proposal in uow.proposals.involving(vacancy_id=vacancy.id,
                                                status=ProposalStatus.PROPOSED):
            proposal.expire("vacancy-closed")
        uow.commit()
    return vacancy


def respond_to_proposal(uow, proposal_id, party, decision, reason=None, now=None,
                        authorise=anyone):
    with uow:
        proposal = uow.proposals.get(proposal_id, lock=True)
        authorise(proposal)
        vacancy = uow.vacancies.get(proposal.vacancy_id, lock=True)
        if decision == "accept":
            if proposal.accept(party, vacancy):
                vacancy.take_position()
                # Matched: not offered elsewhere while the placement is prepared.
                candidate = uow.candidates.find(proposal.participant_id, lock=True)
                if candidate is not None:
                    candidate.place()
                if vacancy.status is VacancyStatus.FILLED:
                    for other in uow.proposals.involving(vacancy_id=vacancy.id,
                                                         status=ProposalStatus.PROPOSED):
                        other.expire("vacancy-closed")
        else:
            proposal.decline(party, reason)
            _propose_again(uow, proposal, now or clock.now())
        uow.commit()
    return proposal


def expire_due_proposals(uow, now=None):
    """Proposals nobody answered in time lapse; their vacancy and candidate are ranked again."""
    now = now or clock.now()
    with uow:
        due = uow.proposals.due(now)
        for proposal in due:
            proposal.expire("timed-out")
            _propose_again(uow, proposal, now)
        uow.commit()
    return len(due)


def propose_for_candidates_near_release(uow, today=None, now=None):
    """Candidates whose release came near are matched, training finished or not; once a day."""
    today = today or clock.today()
    with uow:
        near = uow.candidates.near_release_unranked(today, uow.settings.release_window_days)
        for candidate in near:
            _propose_for_candidate(uow, candidate, now or clock.now(), today)
        uow.commit()
    return len(near)


# --- candidate profiles: every read logged (shared/audit.py) ------------------------------

def read_candidate(uow, participant_id, reader, fields):
    """One candidate's profile (`fields` of it), for the employer desk."""
    return audited_read(uow, reader, PROFILE_READERS, participant_id, fields,
                        lambda: uow.candidates.get(participant_id))


def list_candidates(uow, reader, query, fields):
    """A page of candidate profiles as `query` asks; each one listed is a read of their
    profile."""
    return audited_read(uow, reader, PROFILE_READERS, None, fields,
                        lambda: uow.candidates.list(**query), _each(fields))


def list_proposals(uow, reader, query):
    """A page of proposals with the full reasoning; each one listed is a read of its
    candidate's assessment."""
    return audited_read(uow, reader, PROFILE_READERS, query.get("participant_id"), REASONING,
                        lambda: uow.proposals.list(**query), _each(REASONING))


def ranking_for_vacancy(uow, vacancy_id, reader, limit=20, include_excluded=False, today=None):
    """For caseworkers: the best eligible candidates and the nearest misses, with reasons, and
    on request the candidates matched today whom the vacancy excludes otherwise; each
    candidate listed is a read of their assessment."""
    today = today or clock.today()

    def listed(found):
        return [{"participant_id": candidate.participant_id, **_explained(assessment)}
                for candidate, assessment in found]

    def ranking():
        vacancy = uow.vacancies.get(vacancy_id)
        found = {"vacancy_id": vacancy.id,
                 "eligible": listed(best_candidates(uow, vacancy, today, limit)),
                 "near_misses": listed(best_candidates(uow, vacancy, today, limit,
                                                       near_misses=True))}
        if include_excluded:
            found["excluded"] = listed(excluded_candidates(uow, vacancy, today, limit))
        return found
    return audited_read(uow, reader, PROFILE_READERS, None, REASONING, ranking,
                        lambda found: _each(REASONING)(
                            found["eligible"] + found["near_misses"] + found.get("excluded", [])))


def assess_pair(uow, vacancy_id, participant_id, reader, today=None):
    """For caseworkers: the whole assessment of one candidate for one vacancy, and whether the
    candidate is matched at all today, which says why they are or are not in its ranking; a
    read of the candidate's assessment."""
    today = today or clock.today()

    def assessment():
        vacancy = uow.vacancies.get(vacancy_id)
        candidate = uow.candidates.get(participant_id)
        return {"vacancy_id": vacancy.id, "participant_id": candidate.participant_id,
                "matchable": candidate.matchable_on(today, uow.settings.release_window_days),
                **_explained(assess(candidate, vacancy, uow.training_modules.leading_to()))}
    return audited_read(uow, reader, PROFILE_READERS, participant_id, REASONING, assessment)


def vacancies_for_candidate(uow, participant_id, reader, limit=20):
    """The open vacancies the candidate may take, with the reasoning: a read of their
    assessment."""
    def assessments():
        candidate = uow.candidates.get(participant_id)
        return [{"vacancy_id": vacancy.id, **_explained(assessment)}
                for vacancy, assessment in best_vacancies(uow, candidate, limit)]
    return audited_read(uow, reader, PROFILE_READERS, participant_id, REASONING, assessments)


def _each(fields):
    """The reads of what was found (candidates, proposals or assessments): `fields` of the
    candidate of each."""
    def read(found):
        return [(_participant_of(item), fields) for item in found]
    return read


def _participant_of(item):
    return item["participant_id"] if isinstance(item, dict) else item.participant_id


# --- facts from the chain -------------------------------------------------------------------

def _reaction(react):
    """A reaction `react(uow, data, now, today)` to another service's fact, as the handler that
    updates a candidate profile from the fact, once."""
    def apply(uow, fact):
        now, today = clock.now(), clock.today()
        return handle_fact(uow, fact, lambda uow: react(uow, fact.data, now, today))
    return apply


def erase_on_consent_withdrawal(uow, fact):
    """Consent for matching is gone: erase the profile, its proposals and the facts about it."""
    def erase(uow, participant_id):
        candidate = uow.candidates.find(participant_id)
        if candidate is not None:
            uow.candidates.erase(candidate)
        uow.proposals.erase_all_of(participant_id)
        uow.departures.note(participant_id)
    erase_on_withdrawal(uow, fact, "matching", erase)


# What matching keeps of an admitted participant, named as the fact names it: values, and lists
# of codes; the curfew's hours come nested.
ADMITTED_VALUES = ("participant_id", "municipality", "expected_release_date", "language_level",
                   "hours_per_week", "may_work_outside_from")
ADMITTED_LISTS = ("occupations", "skills", "preferred_sectors", "restrictions",
                  "banned_municipalities", "vog_risk_areas")


def _admitted(uow, data, now, today):
    if uow.candidates.find(data["participant_id"]) is not None \
            or uow.departures.include(data["participant_id"]):
        return
    curfew = data.get("curfew") or {}
    candidate = Candidate(**{name: data[name] for name in ADMITTED_VALUES},
                          **{name: tuple(data[name]) for name in ADMITTED_LISTS},
                          curfew_starts_at=curfew.get("starts_at"),
                          curfew_ends_at=curfew.get("ends_at"))
    uow.candidates.add(candidate)
    _propose_for_candidate(uow, candidate, now, today)


def _release_date_changed(uow, data, now, today):
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is not None:
        candidate.move_release_date(data["expected_release_date"])
        _propose_for_candidate(uow, candidate, now, today)


def _released(uow, data, now, today):
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is not None:
        candidate.release(data["released_on"])
        _propose_for_candidate(uow, candidate, now, today)


def _release_corrected(uow, data, now, today):
    """Availability counts from the corrected release. The correction is not among intake's
    ordered facts: it waits until the release (or correction) it puts right is applied."""
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is None and uow.departures.include(data["participant_id"]):
        return
    if candidate is None or candidate.released_on != data["previous_released_on"]:
        raise EarlyFact(f"the release on {data['previous_released_on']} it corrects is not "
                        "applied yet")
    candidate.release(data["released_on"])
    _propose_for_candidate(uow, candidate, now, today)


def _withdrawn(uow, data, now, today):
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is None:
        return
    for proposal in uow.proposals.involving(participant_id=candidate.participant_id,
                                            status=ProposalStatus.PROPOSED):
        proposal.expire("candidate-withdrawn")
    uow.candidates.erase(candidate)
    uow.departures.note(candidate.participant_id)


class CandidateNotYetKnown(Exception):
    """A fact about a candidate whose admission has not been handled yet: facts from different
    services may arrive out of order, so the consumer retries it (and parks it if the
    admission never comes)."""


def _known(uow, data):
    """The candidate the fact is about, or None for one who left matching already (a fact
    recorded before its producer heard of it)."""
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is None and not uow.departures.include(data["participant_id"]):
        raise CandidateNotYetKnown("no candidate for this fact's participant (yet)")
    return candidate


def _certificate_awarded(uow, data, now, today):
    candidate = _known(uow, data)
    if candidate is not None:
        candidate.award_certificate(data["certificate_id"], data["certificate"])


def _result_corrected(uow, data, now, today):
    """A pass put right as a fail takes back the certificate it earned. The correction is not
    among training's ordered facts: it waits until the award it takes back is applied."""
    revoked, award = data["certificate_revoked"], data["revoked_certificate_id"]
    candidate = _known(uow, data) if revoked else None
    if candidate is None:
        return
    if not candidate.holds_award(award, revoked):
        raise EarlyFact(f"the award of {revoked} it takes back is not applied yet")
    candidate.revoke_award(award, revoked)


def _programme_completed(uow, data, now, today):
    candidate = _known(uow, data)
    if candidate is not None:
        candidate.complete_training(data["certificates"])
        _propose_for_candidate(uow, candidate, now, today)


def _dropped_out(uow, data, now, today):
    # Also when intake withdrew the participant, whose profile is then gone already.
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is not None:
        candidate.drop_out()


def _module_heard(uow, data, now, today):
    """Training's catalogue, for the advice to a near miss: a module added or changed."""
    uow.training_modules.heard(data["module"], data["certificate"], data["weeks"],
                               data["revision"])


def _placement_started(uow, data, now, today):
    candidate = _known(uow, data)
    if candidate is not None:
        candidate.place()


def _placement_ended(uow, data, now, today):
    candidate = uow.candidates.find(data["participant_id"], lock=True)
    if candidate is not None:
        candidate.leave_job()
        _propose_for_candidate(uow, candidate, now, today)


def _placement_day_corrected(uow, data, now, today):
    """A placement's start or end day put right: a candidate is placed, or not, whatever the
    day, so nothing changes here. Followed all the same, so that the correction can join
    placement's ordered facts in the next release (docs/events.md#versioning;
    test_corrections_of_placement_days_are_followed_and_change_nothing)."""


# The facts matching follows, by producer: its queues are made from this table alone
# (shared/consumer.py follow). Each producer's ordered facts about a participant are applied in
# the order it recorded them, whatever the number of workers and instances (docs/ordering.md;
# tests/test_order_scale_out.py).
FOLLOWS = {
    "intake": {
        "participant.admitted": _reaction(_admitted),
        "participant.release_date_changed": _reaction(_release_date_changed),
        "participant.released": _reaction(_released),
        "participant.release_corrected": _reaction(_release_corrected),
        "participant.withdrawn": _reaction(_withdrawn),
        "participant.consent_withdrawn": erase_on_consent_withdrawal,
        "participant.consent_given": keep_order,  # matching has no use for it, but it is ordered
    },
    "training": {
        "training.certificate_awarded": _reaction(_certificate_awarded),
        "training.result_corrected": _reaction(_result_corrected),
        "training.programme_completed": _reaction(_programme_completed),
        "training.dropped_out": _reaction(_dropped_out),
        "training.module_added": _reaction(_module_heard),
        "training.module_changed": _reaction(_module_heard),
    },
    "placement": {
        "placement.started": _reaction(_placement_started),
        "placement.ended": _reaction(_placement_ended),
        "placement.start_corrected": _reaction(_placement_day_corrected),
        "placement.end_corrected": _reaction(_placement_day_corrected),
    },
}


# --- proposing ------------------------------------------------------------------------------

def _propose_for_candidate(uow, candidate, now, today):
    """Propose the best open vacancy, unless the candidate has a proposal pending."""
    candidate.ranked_on = today
    if not candidate.matchable_on(today, uow.settings.release_window_days):
        return
    if uow.proposals.involving(participant_id=candidate.participant_id,
                               status=ProposalStatus.PROPOSED):
        return
    def free(vacancy):
        return _room(uow, vacancy) and candidate.participant_id not in \
            uow.proposals.participants_for(vacancy.id)
    for vacancy, assessment in best_vacancies(uow, candidate, 1, free):
        _propose(uow, candidate, vacancy, assessment, now)


def _propose_for_vacancy(uow, vacancy, now, today=None):
    """Propose the best candidates, as many as the vacancy has positions left."""
    room = _room(uow, vacancy)
    if vacancy.status is not VacancyStatus.OPEN or room == 0:
        return
    skip = uow.proposals.participants_for(vacancy.id) | uow.proposals.participants_pending()
    for candidate, assessment in best_candidates(uow, vacancy, today or now.date(), room, skip):
        _propose(uow, candidate, vacancy, assessment, now)


def best_candidates(uow, vacancy, today, wanted, skip=frozenset(), near_misses=False):
    """The `wanted` best candidates for `vacancy` that `assess` confirms: eligible, or (with
    `near_misses`) excluded only by gaps that training can close."""
    modules = uow.training_modules.leading_to()

    def confirmed(participant_id):
        if participant_id in skip:
            return None
        candidate = uow.candidates.get(participant_id)
        assessment = assess(candidate, vacancy, modules)
        if assessment.near_miss if near_misses else assessment.eligible:
            return candidate, assessment
        return None
    return _confirmed(lambda size, offset: uow.candidates.best_for(
        vacancy, today, uow.settings.release_window_days, size, offset,
        trainable_gaps=near_misses), confirmed, wanted)


def excluded_candidates(uow, vacancy, today, wanted):
    """The first `wanted` candidates matched today, by id, whom `assess` excludes from
    `vacancy` for more than gaps that training can close (those are its near misses)."""
    modules = uow.training_modules.leading_to()

    def confirmed(candidate):
        assessment = assess(candidate, vacancy, modules)
        if assessment.eligible or assessment.near_miss:
            return None
        return candidate, assessment
    return _confirmed(lambda size, offset: uow.candidates.matchable(
        today, uow.settings.release_window_days, size, offset), confirmed, wanted)


def best_vacancies(uow, candidate, wanted, acceptable=lambda vacancy: True):
    """The `wanted` best open vacancies for `candidate` that `assess` confirms."""
    def confirmed(vacancy_id):
        vacancy = uow.vacancies.get(vacancy_id)
        assessment = assess(candidate, vacancy)
        return (vacancy, assessment) if assessment.eligible and acceptable(vacancy) else None
    if candidate.status is CandidateStatus.PLACED:
        return []
    return _confirmed(lambda size, offset: uow.vacancies.best_for(candidate, size, offset),
                      confirmed, wanted)


def _confirmed(page, confirmed, wanted):
    """The query is an index of the rules: page through its ranking, and let the domain
    decide on every row until `wanted` are found."""
    found, offset, size = [], 0, max(wanted * 4, 20)
    while len(found) < wanted:
        ids = page(size, offset)
        for key in ids:
            pair = confirmed(key)
            if pair is not None:
                found.append(pair)
                if len(found) == wanted:
                    break
        if len(ids) < size:
            break
        offset += size
    return found


def _propose_again(uow, proposal, now):
    candidate = uow.candidates.find(proposal.participant_id)
    if candidate is not None:
        _propose_for_candidate(uow, candidate, now, now.date())
    _propose_for_vacancy(uow, uow.vacancies.get(proposal.vacancy_id), now)


def _room(uow, vacancy):
    """Positions left to propose for. The vacancy is locked and read afresh, so its positions
    are offered one transaction at a time, and one filled or closed meanwhile offers none."""
    vacancy = uow.vacancies.get(vacancy.id, lock=True)
    if vacancy.status is not VacancyStatus.OPEN:
        return 0
    pending = uow.proposals.involving(vacancy_id=vacancy.id, status=ProposalStatus.PROPOSED)
    return max(vacancy.open_positions - len(pending), 0)


def _propose(uow, candidate, vacancy, assessment, now):
    proposal = Proposal.make(candidate, vacancy, assessment, now,
                             timedelta(days=uow.settings.proposal_valid_days))
    uow.proposals.add(proposal)


def _explained(assessment):
    return {"eligible": assessment.eligible, "near_miss": assessment.near_miss,
            "score": assessment.score, "score_parts": dict(assessment.score_parts),
            "met": list(assessment.met), "missed": list(assessment.missed),
            "exclusions": list(assessment.exclusions),
            "exclusion_reasons": [{"code": code, "explanation": why} for code, why in zip(
                assessment.exclusion_codes, assessment.exclusions)],
            "closing_modules": list(assessment.closing_modules)}


def _tuples(details):
    return {name: tuple(value) if isinstance(value, list) else value
            for name, value in details.items()}

