"""The PI's intake service: nameko entrypoints that translate HTTP to intake's use cases."""
from services.intake import handlers
from services.intake.pages import IntakePages
from services.intake.schemas import (BasicConditionsUpdate, ConsentSchema, ErasureSchema,
                                     IdentitySchema, ParticipantQuery, ParticipantSchema,
                                     RegisterParticipant, Release, ReleaseCorrection,
                                     ReleaseDateChange, ScreeningSchema, SelectionDecision,
                                     Withdrawal)
from services.intake.store import IntakeUnitOfWork
from services.intake.vault import IdentityVault
from shared.consumer import follow
from shared.database import Relay, Resource, UnitsOfWork
from shared.http import api
from shared.service import ANY_ROLE, PRIVACY_OFFICER, ChainService

CASE_MANAGER = ("pi-case-manager",)


class IntakeService(IntakePages, ChainService):
    name = "intake"
    title = "doorstroom intake (PI)"
    uow = UnitsOfWork(IntakeUnitOfWork, uses=("vault",))
    relay = Relay(IntakeUnitOfWork)
    # Seals and opens participants' identities (vault.py).
    vault = Resource(IdentityVault.from_config)

    # One queue per producer whose facts handlers.FOLLOWS lists, named after its entrypoint.
    note_training_erasure = follow(handlers.FOLLOWS, "training")
    note_matching_erasure = follow(handlers.FOLLOWS, "matching")
    note_placement_erasure = follow(handlers.FOLLOWS, "placement")
    note_notifications_erasure = follow(handlers.FOLLOWS, "notifications")

    @api("POST", "/participants", roles=CASE_MANAGER, body=RegisterParticipant,
         response=ParticipantSchema, status=201, creates="participant_id")
    def register(self, caller, body):
        """Register a participant; a BSN already in the chain answers 409 with its id."""
        return handlers.register_participant(self.uow, **body)

    @api("GET", "/participants", roles=ANY_ROLE, query=ParticipantQuery,
         response=ParticipantSchema, many=True)
    def list_participants(self, caller, query):
        """Participants by expected release date, filtered by status, target group,
        municipality, institution and window, or found by name or BSN, for a case manager; each
        one listed is logged as a read of their record and of what they were found by, and a
        refused attempt (403) too."""
        return handlers.list_participants(self.uow, caller, query, name=query.pop("name"),
                                          bsn=query.pop("bsn"))

    @api("GET", "/participants/<participant_id>", roles=ANY_ROLE, response=ParticipantSchema)
    def get_participant(self, caller, participant_id):
        """One participant, without identity, for a case manager; every attempt to read it is
        logged, allowed, refused (403) or not found (404)."""
        return handlers.read_participant(self.uow, participant_id, caller)

    @api("GET", "/participants/<participant_id>/identity", roles=ANY_ROLE,
         response=IdentitySchema)
    def read_identity(self, caller, participant_id):
        """Name, BSN and date of birth, for a case manager; every attempt to read them is
        logged, allowed, refused (403) or not found (404)."""
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

    @api("GET", "/participants/<participant_id>/erasure",
         roles=CASE_MANAGER + PRIVACY_OFFICER + ("operator",), response=ErasureSchema, many=True)
    def erasure(self, caller, participant_id):
        """Per withdrawn consent: which services confirmed erasing the participant's data for
        it, and which the PI still waits for (purposes, services and times only, so operators
        may ask too: `doorstroom trace`)."""
        return handlers.erasure_of(self.uow, participant_id)

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

    @api("POST", "/participants/<participant_id>/release/correction", roles=CASE_MANAGER,
         body=ReleaseCorrection, response=ParticipantSchema)
    def correct_release(self, caller, participant_id, body):
        """Put right the date of a recorded release, with the reason; announced to the chain
        as a correction beside the release."""
        return handlers.correct_release(self.uow, participant_id, **body)

    @api("POST", "/participants/<participant_id>/withdrawal", roles=CASE_MANAGER,
         body=Withdrawal, response=ParticipantSchema)
    def withdraw(self, caller, participant_id, body):
        """Take a participant out of the chain: dropped out, transferred or recalled to custody."""
        return handlers.withdraw_participant(self.uow, participant_id, **body)
