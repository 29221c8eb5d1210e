"""The PI's intake service: nameko entrypoints that translate HTTP to intake's use cases."""
from services.intake import handlers
from services.intake.schemas import (ConsentSchema, ParticipantQuery, ParticipantSchema,
                                     RegisterParticipant, Release, ScreeningSchema,
                                     SelectionDecision)
from services.intake.store import IntakeUnitOfWork
from shared.database import Store
from shared.http import api
from shared.service import ChainService

CASE_MANAGER = ("pi-case-manager",)


class IntakeService(ChainService):
    name = "intake"
    title = "doorstroom intake (PI)"
    uow = Store(IntakeUnitOfWork)

    @api("POST", "/participants", roles=CASE_MANAGER, body=RegisterParticipant,
         response=ParticipantSchema, status=201)
    def register(self, caller, body):
        """Register a participant in the last phase of detention or another target group."""
        return handlers.register_participant(self.uow, **body)

    @api("GET", "/participants", roles=CASE_MANAGER, query=ParticipantQuery,
         response=ParticipantSchema)
    def list_participants(self, caller, query):
        """Participants, by expected release date."""
        with self.uow as uow:
            return uow.participants.list(**query)

    @api("GET", "/participants/<participant_id>", roles=CASE_MANAGER, response=ParticipantSchema)
    def get_participant(self, caller, participant_id):
        """One participant."""
        with self.uow as uow:
            return uow.participants.get(participant_id)

    @api("PUT", "/participants/<participant_id>/screening", roles=CASE_MANAGER,
         body=ScreeningSchema, response=ParticipantSchema)
    def screen(self, caller, participant_id, body):
        """Record the screening: motivation, safety, language, skills, restrictions."""
        return handlers.screen_participant(self.uow, participant_id, body)

    @api("POST", "/participants/<participant_id>/consents", roles=CASE_MANAGER,
         body=ConsentSchema, response=ParticipantSchema, status=201)
    def give_consent(self, caller, participant_id, body):
        """Record consent (or another legal basis) for sharing data for one purpose."""
        return handlers.record_consent(self.uow, participant_id, **body)

    @api("POST", "/participants/<participant_id>/selection", roles=CASE_MANAGER,
         body=SelectionDecision, response=ParticipantSchema)
    def select(self, caller, participant_id, body):
        """Admit a screened participant to the chain, or reject with a reason."""
        if body["decision"] == "admit":
            return handlers.admit_participant(self.uow, participant_id)
        return handlers.reject_participant(self.uow, participant_id, body["reason"])

    @api("POST", "/participants/<participant_id>/release", roles=CASE_MANAGER,
         body=Release, response=ParticipantSchema)
    def release(self, caller, participant_id, body):
        """Record the release of an admitted participant."""
        return handlers.release_participant(self.uow, participant_id, body["released_on"])
