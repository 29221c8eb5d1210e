"""The social service's matching service."""
from nameko.timer import timer

from services.matching import handlers
from services.matching.pages import MatchingPages
from services.matching.schemas import (AssessmentSchema, CandidateQuery, CandidateSchema,
                                       EmployerIn, EmployerProposalSchema, EmployerResponse,
                                       EmployerSchema, PairAssessmentSchema, ProposalQuery,
                                       ProposalResponse, ProposalSchema, RankingQuery,
                                       RankingSchema, VacancyChange, VacancyClosure, VacancyIn,
                                       VacancyQuery, VacancySchema)
from services.matching.store import MatchingUnitOfWork
from shared.consumer import follow
from shared.database import Relay, UnitsOfWork
from shared.errors import NotFound
from shared.http import Paging, api, employer_of, require_own
from shared.service import ANY_ROLE, ChainService

DESK = ("employer-desk",)
# Any role may ask for a candidate; the use case lets these read and logs every attempt.
READERS = handlers.PROFILE_READERS
DESK_AND_EMPLOYERS = ("employer-desk", "employer")
# What reading a candidate profile reads of them: every part of it but the id.
PROFILE = tuple(name for name in CandidateSchema().fields if name != "participant_id")


class MatchingService(MatchingPages, ChainService):
    name = "matching"
    title = "doorstroom matching (social service)"
    uow = UnitsOfWork(MatchingUnitOfWork)
    relay = Relay(MatchingUnitOfWork)
    scheduled_checks = {**ChainService.scheduled_checks, "housekeeping": "housekeeping"}

    # One queue per producer whose facts handlers.FOLLOWS lists, named after its entrypoint.
    follow_intake = follow(handlers.FOLLOWS, "intake")
    follow_training = follow(handlers.FOLLOWS, "training")
    follow_placement = follow(handlers.FOLLOWS, "placement")

    @timer(interval=60, eager=True)
    def housekeeping(self):
        """Lapse proposals nobody answered in time; match candidates whose release came near.
        One instance at a time does it."""
        with self.uow.lease("housekeeping") as ours:
            if ours:
                handlers.expire_due_proposals(self.uow)
                handlers.propose_for_candidates_near_release(self.uow)
        return ours

    # --- employers and vacancies ----------------------------------------------------------

    @api("POST", "/employers", roles=DESK, body=EmployerIn, response=EmployerSchema, status=201,
         creates="employer_id")
    def register_employer(self, caller, body):
        """Register an employer the employer desk works with."""
        return handlers.register_employer(self.uow, **body)

    @api("GET", "/employers", roles=DESK, query=Paging, response=EmployerSchema, many=True)
    def list_employers(self, caller, query):
        """Employers, by name."""
        with self.uow as uow:
            return uow.employers.list(**query)

    @api("GET", "/employers/<employer_id>", roles=DESK_AND_EMPLOYERS, response=EmployerSchema)
    def get_employer(self, caller, employer_id):
        """One employer; an employer sees only itself."""
        require_own(caller, employer_id)
        with self.uow as uow:
            return uow.employers.get(employer_id)

    @api("POST", "/vacancies", roles=DESK_AND_EMPLOYERS, body=VacancyIn, response=VacancySchema,
         status=201, refers_to=("employer_id",), creates="vacancy_id")
    def publish_vacancy(self, caller, body):
        """Publish a vacancy; candidates are ranked against it at once."""
        require_own(caller, body["employer_id"])
        return handlers.publish_vacancy(self.uow, **body)

    @api("GET", "/vacancies", roles=DESK_AND_EMPLOYERS, query=VacancyQuery,
         response=VacancySchema, many=True)
    def list_vacancies(self, caller, query):
        """Vacancies by start date, by status, employer, municipality or text in the title or
        description; an employer sees only its own."""
        if caller.role == "employer":
            query["employer_id"] = employer_of(caller)
        with self.uow as uow:
            return uow.vacancies.list(**query)

    @api("GET", "/vacancies/<vacancy_id>", roles=DESK_AND_EMPLOYERS, response=VacancySchema)
    def get_vacancy(self, caller, vacancy_id):
        """One vacancy."""
        with self.uow as uow:
            return _own_vacancy(caller, uow.vacancies.get(vacancy_id))

    @api("PUT", "/vacancies/<vacancy_id>", roles=DESK_AND_EMPLOYERS, body=VacancyChange,
         response=VacancySchema)
    def change_vacancy(self, caller, vacancy_id, body):
        """Change an open vacancy: it is ranked again, and proposals it no longer allows lapse."""
        return handlers.change_vacancy(self.uow, vacancy_id, authorise=_vacancy_of(caller),
                                       **body)

    @api("POST", "/vacancies/<vacancy_id>/closure", roles=DESK_AND_EMPLOYERS,
         body=VacancyClosure, response=VacancySchema)
    def close_vacancy(self, caller, vacancy_id, body):
        """Close an open vacancy; its pending proposals lapse."""
        return handlers.close_vacancy(self.uow, vacancy_id, body["reason"],
                                      authorise=_vacancy_of(caller))

    @api("GET", "/vacancies/<vacancy_id>/ranking", roles=ANY_ROLE, readers=READERS,
         query=RankingQuery, response=RankingSchema)
    def ranking(self, caller, vacancy_id, query):
        """For the employer desk: the best eligible candidates and the nearest misses, with the
        full reasoning, and with include_excluded=true the candidates it excludes and why;
        logged as a read of each candidate's assessment, and a refused attempt (403) too."""
        return handlers.ranking_for_vacancy(self.uow, vacancy_id, caller, **query)

    @api("GET", "/vacancies/<vacancy_id>/candidates/<participant_id>", roles=ANY_ROLE,
         readers=READERS, response=PairAssessmentSchema)
    def assess_candidate(self, caller, vacancy_id, participant_id):
        """For the employer desk: why a candidate is or is not ranked for a vacancy, the score
        and its parts, or each reason that excludes them; every attempt is logged as a read of
        the candidate's assessment, allowed, refused (403) or not found (404)."""
        return handlers.assess_pair(self.uow, vacancy_id, participant_id, caller)

    # --- candidates: every attempt to read them is logged (GET /audit/personal-data-reads) ---

    @api("GET", "/candidates", roles=ANY_ROLE, readers=READERS, query=CandidateQuery,
         response=CandidateSchema, many=True)
    def list_candidates(self, caller, query):
        """For the employer desk: candidate profiles as built from the chain's facts; each one
        listed is logged as a read of their profile, and a refused attempt (403) too."""
        return handlers.list_candidates(self.uow, caller, query, PROFILE)

    @api("GET", "/candidates/<participant_id>", roles=ANY_ROLE, readers=READERS,
         response=CandidateSchema)
    def get_candidate(self, caller, participant_id):
        """For the employer desk: one candidate profile, restrictions included; every attempt
        to read it is logged, allowed, refused (403) or not found (404)."""
        return handlers.read_candidate(self.uow, participant_id, caller, PROFILE)

    @api("GET", "/candidates/<participant_id>/vacancies", roles=ANY_ROLE, readers=READERS,
         response=AssessmentSchema, many=True)
    def vacancies_for_candidate(self, caller, participant_id):
        """For the employer desk: the open vacancies the candidate may take, best first, with
        the reasoning; every attempt is logged as a read of the candidate's assessment."""
        return handlers.vacancies_for_candidate(self.uow, participant_id, caller)

    # --- proposals --------------------------------------------------------------------------

    @api("GET", "/proposals", roles=ANY_ROLE, readers=READERS, query=ProposalQuery,
         response=ProposalSchema, many=True)
    def list_proposals(self, caller, query):
        """For the employer desk: proposals with the full reasoning, by candidate, vacancy or
        status; logged as a read of each one's candidate's assessment, and a refused attempt
        (403) too."""
        return handlers.list_proposals(self.uow, caller, query)

    @api("GET", "/employers/<employer_id>/proposals", roles=DESK_AND_EMPLOYERS,
         query=Paging, response=EmployerProposalSchema, many=True)
    def proposals_for_employer(self, caller, employer_id, query):
        """An employer's proposals as the employer sees them: anonymous candidates."""
        require_own(caller, employer_id)
        with self.uow as uow:
            return uow.proposals.list(employer_id=employer_id, **query)

    @api("POST", "/proposals/<proposal_id>/responses", roles=DESK, body=ProposalResponse,
         response=ProposalSchema)
    def respond(self, caller, proposal_id, body):
        """Accept or decline for one side: the desk answers for the candidate, and for an
        employer who calls in. Both sides accepting makes the match."""
        return handlers.respond_to_proposal(self.uow, proposal_id, **body)

    @api("POST", "/employers/<employer_id>/proposals/<proposal_id>/responses",
         roles=DESK_AND_EMPLOYERS, body=EmployerResponse, response=EmployerProposalSchema)
    def respond_as_employer(self, caller, employer_id, proposal_id, body):
        """The employer accepts or declines a proposal for its vacancy."""
        require_own(caller, employer_id)

        def for_this_employer(proposal):
            if proposal.employer_id != employer_id:
                raise NotFound(f"no proposal {proposal_id} for this employer")
        return handlers.respond_to_proposal(self.uow, proposal_id, party="employer",
                                            authorise=for_this_employer, **body)


def _own_vacancy(caller, vacancy):
    require_own(caller, vacancy.employer_id, what="vacancy")
    return vacancy


def _vacancy_of(caller):
    """What lets the caller change a vacancy: it is the caller's own (an employer's key), checked
    in the change's own transaction
    (test_employers_see_their_own_proposals_anonymised_and_answer_for_themselves)."""
    return lambda vacancy: _own_vacancy(caller, vacancy)
