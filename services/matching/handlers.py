"""Matching's use cases, and how it keeps candidate profiles from other services' facts."""
from services.matching.domain import (Candidate, Employer, Proposal, ProposalStatus, Vacancy,
                                      assess, rank)
from shared.store import handle_fact


def register_employer(uow, name, sector, municipality, social_return):
    employer = Employer.register(name, sector, municipality, social_return)
    with uow:
        uow.employers.add(employer)
        uow.record("employer.registered", {
            "employer_id": employer.id, "name": name, "sector": sector,
            "municipality": municipality, "social_return": social_return})
        uow.commit()
    return employer


def publish_vacancy(uow, employer_id, **details):
    with uow:
        uow.employers.get(employer_id)
        vacancy = Vacancy.publish(employer_id, **details)
        uow.vacancies.add(vacancy)
        uow.record("vacancy.published", {
            "vacancy_id": vacancy.id, "employer_id": employer_id,
            **{name: details[name] for name in (
                "occupation", "sector", "municipality", "hours_per_week", "start_date",
                "positions")},
            "required_certificates": list(vacancy.required_certificates)})
        uow.session.flush()
        _propose_for_vacancy(uow, vacancy)
        uow.commit()
    return vacancy


def respond_to_proposal(uow, proposal_id, party, decision, reason=None):
    with uow:
        proposal = uow.proposals.get(proposal_id)
        vacancy = uow.vacancies.get(proposal.vacancy_id)
        if decision == "accept":
            if proposal.accept(party):
                vacancy.take_position()
                uow.record("match.accepted", {
                    **_match_ids(proposal), "occupation": vacancy.occupation,
                    "hours_per_week": vacancy.hours_per_week, "start_date": vacancy.start_date,
                }, subject=proposal.participant_id)
        else:
            proposal.decline(party, reason)
            uow.record("match.declined", {**_match_ids(proposal), "declined_by": party,
                                          "reason": reason}, subject=proposal.participant_id)
            uow.session.flush()
            _propose_for_candidate(uow, uow.candidates.get(proposal.participant_id))
            _propose_for_vacancy(uow, vacancy)
        uow.commit()
    return proposal


def apply_fact(uow, fact):
    """Update a candidate profile from another service's fact, once."""
    return handle_fact(uow, fact, lambda uow: _REACTIONS[fact.type](uow, fact.data))


def _admitted(uow, data):
    if uow.candidates.find(data["participant_id"]) is None:
        uow.candidates.add(Candidate(
            participant_id=data["participant_id"], municipality=data["municipality"],
            expected_release_date=data["expected_release_date"],
            language_level=data["language_level"],
            preferred_sectors=tuple(data["preferred_sectors"]),
            restrictions=tuple(data["restrictions"]),
            banned_municipalities=tuple(data["banned_municipalities"])))


def _released(uow, data):
    candidate = uow.candidates.get(data["participant_id"])
    candidate.release(data["released_on"])
    _propose_for_candidate(uow, candidate)


def _certificate_awarded(uow, data):
    uow.candidates.get(data["participant_id"]).add_certificates([data["certificate"]])


def _programme_completed(uow, data):
    candidate = uow.candidates.get(data["participant_id"])
    candidate.add_certificates(data["certificates"])
    candidate.become_ready()
    _propose_for_candidate(uow, candidate)


def _dropped_out(uow, data):
    uow.candidates.get(data["participant_id"]).drop_out()


def _placement_started(uow, data):
    uow.candidates.get(data["participant_id"]).place()


_REACTIONS = {
    "participant.admitted": _admitted,
    "participant.released": _released,
    "training.certificate_awarded": _certificate_awarded,
    "training.programme_completed": _programme_completed,
    "training.dropped_out": _dropped_out,
    "placement.started": _placement_started,
}


def _propose_for_candidate(uow, candidate):
    """Propose the best open vacancy, unless the candidate already has a proposal pending."""
    if uow.proposals.involving(participant_id=candidate.participant_id,
                               status=ProposalStatus.PROPOSED):
        return
    for assessment, vacancy in rank(candidate, uow.vacancies.open()):
        if _room(uow, vacancy) and not uow.proposals.exists(vacancy.id, candidate.participant_id):
            _propose(uow, candidate, vacancy, assessment)
            return


def _propose_for_vacancy(uow, vacancy):
    """Propose the best ready candidates, as many as the vacancy has positions left."""
    pending = {p.participant_id for p in uow.proposals.involving(status=ProposalStatus.PROPOSED)}
    eligible = sorted(
        ((assess(c, vacancy), c) for c in uow.candidates.ready()
         if c.participant_id not in pending
         and not uow.proposals.exists(vacancy.id, c.participant_id)),
        key=lambda pair: (-pair[0].score, pair[1].participant_id))
    for assessment, candidate in [pair for pair in eligible if pair[0].eligible][:_room(uow, vacancy)]:
        _propose(uow, candidate, vacancy, assessment)


def _room(uow, vacancy):
    pending = uow.proposals.involving(vacancy_id=vacancy.id, status=ProposalStatus.PROPOSED)
    return max(vacancy.open_positions - len(pending), 0)


def _propose(uow, candidate, vacancy, assessment):
    proposal = Proposal.make(candidate, vacancy, assessment)
    uow.proposals.add(proposal)
    uow.session.flush()
    uow.record("match.proposed", {**_match_ids(proposal), "score": proposal.score,
                                  "reasons": list(proposal.reasons)},
               subject=candidate.participant_id)


def _match_ids(proposal):
    return {"match_id": proposal.id, "vacancy_id": proposal.vacancy_id,
            "employer_id": proposal.employer_id, "participant_id": proposal.participant_id}
