"""The social service's matching service."""
from services.matching import handlers
from services.matching.schemas import (CandidateSchema, EmployerIn, EmployerSchema,
                                       ProposalQuery, ProposalResponse, ProposalSchema,
                                       VacancyIn, VacancySchema)
from services.matching.store import MatchingUnitOfWork
from shared.consumer import subscribe
from shared.database import Store
from shared.http import ApiError, api
from shared.service import ChainService

DESK = ("employer-desk",)
DESK_AND_EMPLOYERS = ("employer-desk", "employer")


class MatchingService(ChainService):
    name = "matching"
    title = "doorstroom matching (social service)"
    uow = Store(MatchingUnitOfWork)

    @subscribe("intake", "participant.admitted", "participant.released")
    def follow_intake(self, fact):
        handlers.apply_fact(self.uow, fact)

    @subscribe("training", "training.certificate_awarded", "training.programme_completed",
               "training.dropped_out")
    def follow_training(self, fact):
        handlers.apply_fact(self.uow, fact)

    @subscribe("placement", "placement.started")
    def follow_placement(self, fact):
        handlers.apply_fact(self.uow, fact)

    @api("POST", "/employers", roles=DESK, body=EmployerIn, response=EmployerSchema, status=201)
    def register_employer(self, caller, body):
        """Register an employer the employer desk works with."""
        return handlers.register_employer(self.uow, **body)

    @api("POST", "/vacancies", roles=DESK, body=VacancyIn, response=VacancySchema, status=201)
    def publish_vacancy(self, caller, body):
        """Publish a vacancy; ready candidates are ranked against it at once."""
        return handlers.publish_vacancy(self.uow, **body)

    @api("GET", "/vacancies", roles=DESK_AND_EMPLOYERS, response=VacancySchema)
    def list_vacancies(self, caller):
        """Open vacancies."""
        with self.uow as uow:
            return uow.vacancies.open()

    @api("GET", "/candidates/<participant_id>", roles=DESK, response=CandidateSchema)
    def get_candidate(self, caller, participant_id):
        """A candidate profile as built from the chain's facts."""
        with self.uow as uow:
            return uow.candidates.get(participant_id)

    @api("GET", "/proposals", roles=DESK_AND_EMPLOYERS, query=ProposalQuery,
         response=ProposalSchema)
    def list_proposals(self, caller, query):
        """Proposals, by candidate, vacancy or status."""
        with self.uow as uow:
            return uow.proposals.involving(**query)

    @api("POST", "/proposals/<proposal_id>/responses", roles=DESK_AND_EMPLOYERS,
         body=ProposalResponse, response=ProposalSchema)
    def respond(self, caller, proposal_id, body):
        """Accept or decline a proposal for one side; both sides accepting makes the match."""
        if caller.role == "employer" and body["party"] != "employer":
            raise ApiError(403, "an employer answers only for the employer side")
        return handlers.respond_to_proposal(self.uow, proposal_id, **body)
