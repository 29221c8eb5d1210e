"""The work company's placement service."""
from services.placement import handlers
from services.placement.schemas import PlacementQuery, PlacementSchema, StartPlacement
from services.placement.store import PlacementUnitOfWork
from shared.consumer import subscribe
from shared.database import Store
from shared.http import api
from shared.service import ChainService

JOB_COACH = ("job-coach",)


class PlacementService(ChainService):
    name = "placement"
    title = "doorstroom placement (work company)"
    uow = Store(PlacementUnitOfWork)

    @subscribe("matching", "match.accepted")
    def plan_placement(self, fact):
        handlers.plan_accepted_match(self.uow, fact)

    @api("GET", "/placements", roles=JOB_COACH, query=PlacementQuery, response=PlacementSchema)
    def list_placements(self, caller, query):
        """Placements, by participant or status."""
        with self.uow as uow:
            return uow.placements.list(**query)

    @api("GET", "/placements/<placement_id>", roles=JOB_COACH, response=PlacementSchema)
    def get_placement(self, caller, placement_id):
        """One placement."""
        with self.uow as uow:
            return uow.placements.get(placement_id)

    @api("POST", "/placements/<placement_id>/start", roles=JOB_COACH, body=StartPlacement,
         response=PlacementSchema)
    def start(self, caller, placement_id, body):
        """Start a planned placement: the participant begins work."""
        return handlers.start_placement(self.uow, placement_id, **body)
