"""The PI's intake service: nameko entrypoints that translate HTTP to intake's use cases."""
from services.intake import handlers
from services.intake.schemas import (AuditQuery, BasicConditionsUpdate, ConsentSchema,
                                     IdentitySchema, ParticipantQuery, ParticipantSchema,
                                     PersonalDataReadSchema, RegisterParticipant, Release,
                                     ReleaseDateChange, ScreeningSchema, SelectionDecision,
                                     Withdrawal)
from services.intake.store import IntakeUnitOfWork
from shared.database import Store
from shared.http import api
from shared.service import ChainService

CASE_MANAGER = ("pi-case-manager",)
PRIVACY_OFFICER = ("pi-privacy-officer",)


class IntakeService(ChainService):
    name = "intake"
    title = "doorstroom intake (PI)"
    uow = Store(IntakeUnitOfWork)

    @api("POST", "/participants", roles=CASE_MANAGER, body=RegisterParticipant,
         response=ParticipantSchema, status=201)
    def register(self, caller, body):
        """Register a participant; a BSN already in the chain answers 409 with its id."""
        return handlers.register_participant(self.uow, **body)

    @api("GET", "/participants", roles=CASE_MANAGER, query=ParticipantQuery,
         response=ParticipantSchema, many=True)
    def list_participants(self, caller, query):
        """Participants by expected release date, filtered by status, target group and window."""
        with self.uow as uow:
            return uow.participants.list(**query)

    @api("GET", "/participants/<participant_id>", roles=CASE_MANAGER, response=ParticipantSchema)
    def get_participant(self, caller, participant_id):
        """One participant, without identity."""
        with self.uow as uow:
            return uow.participants.get(participant_id)

    @api("GET", "/participants/<participant_id>/identity", roles=CASE_MANAGER,
         response=IdentitySchema)
    def read_identity(self, caller, participant_id):
        """Name, BSN and date of birth; every read is written to the audit log."""
        return handlers.read_identity(self.uow, participant_id, caller)

    @api("PUT", "/participants/<participant_id>/screening", roles=CASE_MANAGER,
         body=ScreeningSchema, response=ParticipantSchema)
    def screen(self, caller, participant_id, body):
        """Record the screening: motivation, safety, language, skills, preferences, restrictions."""
        return handlers.screen_participant(self.uow, participant_id, body)

    @api("POST", "/participants/<participant_id>/consents", roles=CASE_MANAGER,
         body=ConsentSchema, response=ParticipantSchema, status=201)
    def give_consent(self, caller, participant_id, body):
        """Record consent (or another legal basis) for sharing data for one purpose."""
        return handlers.record_consent(self.uow, participant_id, **body)

    @api("DELETE", "/participants/<participant_id>/consents/<purpose>", roles=CASE_MANAGER,
         response=ParticipantSchema)
    def withdraw_consent(self, caller, participant_id, purpose):
        """Withdraw consent for one purpose: honoured here at once, and announced to the chain."""
        return handlers.withdraw_consent(self.uow, participant_id, purpose)

    @api("POST", "/participants/<participant_id>/selection", roles=CASE_MANAGER,
         body=SelectionDecision, response=ParticipantSchema)
    def select(self, caller, participant_id, body):
        """Admit a screened participant to the chain, or reject with a reason."""
        if body["decision"] == "admit":
            return handlers.admit_participant(self.uow, participant_id)
        return handlers.reject_participant(self.uow, participant_id, body["reason"])

    @api("PUT", "/participants/<participant_id>/release-date", roles=CASE_MANAGER,
         body=ReleaseDateChange, response=ParticipantSchema)
    def change_release_date(self, caller, participant_id, body):
        """Move the expected release date of a participant not yet released."""
        return handlers.change_release_date(self.uow, participant_id, **body)

    @api("PUT", "/participants/<participant_id>/basic-conditions", roles=CASE_MANAGER,
         body=BasicConditionsUpdate, response=ParticipantSchema)
    def update_basic_conditions(self, caller, participant_id, body):
        """Record how ID document, housing, income, debts and care are arranged."""
        return handlers.update_basic_conditions(self.uow, participant_id, body["conditions"])

    @api("POST", "/participants/<participant_id>/release", roles=CASE_MANAGER,
         body=Release, response=ParticipantSchema)
    def release(self, caller, participant_id, body):
        """Record the release of an admitted participant."""
        return handlers.release_participant(self.uow, participant_id, body["released_on"])

    @api("POST", "/participants/<participant_id>/withdrawal", roles=CASE_MANAGER,
         body=Withdrawal, response=ParticipantSchema)
    def withdraw(self, caller, participant_id, body):
        """Take a participant out of the chain: dropped out, transferred or recalled to custody."""
        return handlers.withdraw_participant(self.uow, participant_id, **body)

    @api("GET", "/audit/personal-data-reads", roles=PRIVACY_OFFICER, query=AuditQuery,
         response=PersonalDataReadSchema, many=True)
    def personal_data_reads(self, caller, query):
        """Who read whose personal data and when, oldest first."""
        with self.uow as uow:
            return uow.audit.reads(**query)
