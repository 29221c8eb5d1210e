"""Placement's use cases."""
from services.placement.domain import Placement
from shared.store import handle_fact


def plan_accepted_match(uow, fact):
    def plan(uow):
        data = fact.data
        if uow.placements.for_match(data["match_id"]) is not None:
            return
        placement = Placement.plan(data["match_id"], data["participant_id"], data["employer_id"],
                                   data["vacancy_id"], data["start_date"], data["hours_per_week"])
        uow.placements.add(placement)
        uow.record("placement.planned", {
            **_ids(placement), "match_id": placement.match_id,
            "vacancy_id": placement.vacancy_id, "start_date": placement.start_date,
            "hours_per_week": placement.hours_per_week,
        }, subject=placement.participant_id)
    return handle_fact(uow, fact, plan)


def start_placement(uow, placement_id, contract_type, job_coach, started_on):
    with uow:
        placement = uow.placements.get(placement_id)
        placement.start(contract_type, job_coach, started_on)
        # Contract type and hours let the social service adjust the participant's benefit.
        uow.record("placement.started", {
            **_ids(placement), "contract_type": contract_type,
            "hours_per_week": placement.hours_per_week, "started_on": started_on,
        }, subject=placement.participant_id)
        uow.commit()
    return placement


def _ids(placement):
    return {"placement_id": placement.id, "participant_id": placement.participant_id,
            "employer_id": placement.employer_id}
