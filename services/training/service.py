"""The work company's training service."""
from services.training import handlers
from services.training.schemas import DropOut, ModuleResultSchema, ProgrammeSchema
from services.training.store import TrainingUnitOfWork
from shared.consumer import subscribe
from shared.database import Store
from shared.http import api
from shared.service import ChainService

TRAINER = ("trainer",)


class TrainingService(ChainService):
    name = "training"
    title = "doorstroom training (work company)"
    uow = Store(TrainingUnitOfWork)

    @subscribe("intake", "participant.admitted")
    def enrol_admitted(self, fact):
        handlers.enrol_admitted_participant(self.uow, fact)

    @api("GET", "/participants/<participant_id>/programme", roles=TRAINER,
         response=ProgrammeSchema)
    def get_programme(self, caller, participant_id):
        """A participant's programme: modules, results and certificates."""
        with self.uow as uow:
            return uow.programmes.get(participant_id)

    @api("POST", "/participants/<participant_id>/results", roles=TRAINER,
         body=ModuleResultSchema, response=ProgrammeSchema, status=201)
    def record_result(self, caller, participant_id, body):
        """Record a module's result; a pass awards the module's certificate."""
        return handlers.record_result(self.uow, participant_id, **body)

    @api("POST", "/participants/<participant_id>/drop-out", roles=TRAINER,
         body=DropOut, response=ProgrammeSchema)
    def drop_out(self, caller, participant_id, body):
        """End a participant's programme early, with a reason."""
        return handlers.drop_out(self.uow, participant_id, body["reason"])
