"""The work company's placement service."""
from nameko.timer import timer

from services.placement import handlers
from services.placement.pages import PlacementPages
from services.placement.schemas import (CheckInSchema, CorrectEnd, CorrectStart,
                                        EmployerPlacementSchema, EndPlacement, LedgerEntry,
                                        LedgerQuery, OutcomeQuery, OutcomeSchema, Paging,
                                        PlacementQuery, PlacementSchema, Period, StartPlacement)
from services.placement.store import PlacementUnitOfWork
from shared.consumer import follow
from shared.database import Relay, UnitsOfWork
from shared.http import api, require_own
from shared.service import ANY_ROLE, ChainService

JOB_COACH = ("job-coach",)
REPORT_READERS = ("job-coach", "employer-desk", "operator")


class PlacementService(PlacementPages, ChainService):
    name = "placement"
    title = "doorstroom placement (work company)"
    uow = UnitsOfWork(PlacementUnitOfWork)
    relay = Relay(PlacementUnitOfWork)
    scheduled_checks = {**ChainService.scheduled_checks, "milestones": "check_milestones"}

    # One queue per producer whose facts handlers.FOLLOWS lists, named after its entrypoint.
    plan_placement = follow(handlers.FOLLOWS, "matching")
    follow_intake = follow(handlers.FOLLOWS, "intake")

    @timer(interval=3600, eager=True)
    def check_milestones(self):
        """Publish the 1, 3 and 6 month milestones reached since the last check, at start and
        then hourly (a restart does not put them off for another hour). One instance at a time
        does it."""
        with self.uow.lease("milestones") as ours:
            if ours:
                handlers.record_milestones(self.uow)
        return ours

    @api("GET", "/placements", roles=ANY_ROLE, readers=JOB_COACH, query=PlacementQuery,
         response=PlacementSchema, many=True)
    def list_placements(self, caller, query):
        """For job coaches: placements by planned start, by participant, employer, status or
        when they started; each one listed is logged as a read of its participant's coaching,
        and a refused attempt (403) too."""
        return handlers.list_placements(self.uow, caller, query)

    @api("GET", "/placements/<placement_id>", roles=ANY_ROLE, readers=JOB_COACH,
         response=PlacementSchema)
    def get_placement(self, caller, placement_id):
        """For job coaches: one placement with its check-ins; every attempt to read it is
        logged, allowed, refused (403) or not found (404)."""
        return handlers.read_placement(self.uow, placement_id, caller)

    @api("POST", "/placements/<placement_id>/start", roles=JOB_COACH, body=StartPlacement,
         response=PlacementSchema)
    def start(self, caller, placement_id, body):
        """Start a planned placement: contract, hours, wage, coach, subsidy, no-risk policy."""
        return handlers.start_placement(self.uow, placement_id, **body)

    @api("POST", "/placements/<placement_id>/end", roles=JOB_COACH, body=EndPlacement,
         response=PlacementSchema)
    def end(self, caller, placement_id, body):
        """End a placement, with the reason; the candidate becomes matchable again."""
        return handlers.end_placement(self.uow, placement_id, **body)

    @api("POST", "/placements/<placement_id>/start/correction", roles=JOB_COACH,
         body=CorrectStart, response=PlacementSchema)
    def correct_start(self, caller, placement_id, body):
        """Correct the recorded start day, with the reason; milestones are reckoned again."""
        return handlers.correct_start(self.uow, placement_id, corrected_by=caller.name, **body)

    @api("POST", "/placements/<placement_id>/end/correction", roles=JOB_COACH,
         body=CorrectEnd, response=PlacementSchema)
    def correct_end(self, caller, placement_id, body):
        """Correct the recorded end day, with the reason."""
        return handlers.correct_end(self.uow, placement_id, corrected_by=caller.name, **body)

    @api("POST", "/placements/<placement_id>/check-ins", roles=JOB_COACH, body=CheckInSchema,
         response=PlacementSchema, status=201)
    def check_in(self, caller, placement_id, body):
        """Record a check-in with notes for the coach's organisation and a risk signal."""
        return handlers.check_in(self.uow, placement_id, coach=caller.name, **body)

    @api("GET", "/employers/<employer_id>/placements", roles=REPORT_READERS + ("employer",),
         query=Paging, response=EmployerPlacementSchema, many=True)
    def employer_placements(self, caller, employer_id, query):
        """An employer's placements: the jobs, not the coaching. An employer sees its own."""
        require_own(caller, employer_id)
        with self.uow as uow:
            return uow.placements.list(employer_id=employer_id, **query)

    @api("GET", "/social-return", roles=REPORT_READERS, query=LedgerQuery,
         response=LedgerEntry, many=True)
    def social_return(self, caller, query):
        """The social-return ledger per employer for a period."""
        return _ledger_entries(handlers.ledger(self.uow, **query))

    @api("GET", "/employers/<employer_id>/social-return", roles=REPORT_READERS + ("employer",),
         query=Period, response=LedgerEntry, many=True)
    def employer_social_return(self, caller, employer_id, query):
        """One employer's social-return ledger for a period."""
        require_own(caller, employer_id)
        return _ledger_entries(handlers.ledger(self.uow, employer_id=employer_id, **query))

    @api("GET", "/outcomes", roles=REPORT_READERS, query=OutcomeQuery, response=OutcomeSchema,
         many=True)
    def outcomes(self, caller, query):
        """Placements started in a period: days from release to work and the sustainable rate,
        per target group or municipality."""
        return handlers.outcome_report(self.uow, **query)


def _ledger_entries(ledger):
    return [{"employer_id": employer_id, **kinds} for employer_id, kinds in sorted(ledger.items())]
