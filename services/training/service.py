"""The work company's training service."""

from services.training import handlers
from services.training.pages import TrainingPages
from services.training.schemas import (CertificateSchema, CohortPlan, CohortQuery, CohortSchema,
                                       DemandSchema, DropOut, EnrolmentRequest, ModuleChange,
                                       ModuleResultSchema, ModuleSchema, ProgrammeSchema,
                                       ResultCorrectionRequest, SessionSchema,
                                       WaitingListSchema)
from services.training.store import TrainingUnitOfWork
from shared import clock
from shared.consumer import follow
from shared.database import Relay, UnitsOfWork
from shared.errors import NotFound
from shared.http import api
from shared.service import ANY_ROLE, ChainService

TRAINER = ("trainer",)


class TrainingService(TrainingPages, ChainService):
    name = "training"
    title = "doorstroom training (work company)"
    uow = UnitsOfWork(TrainingUnitOfWork)
    relay = Relay(TrainingUnitOfWork)

    # One queue per producer whose facts handlers.FOLLOWS lists, named after its entrypoint.
    on_intake_fact = follow(handlers.FOLLOWS, "intake")
    follow_vacancies = follow(handlers.FOLLOWS, "matching")

    @api("GET", "/modules", roles=TRAINER, response=ModuleSchema, many=True)
    def catalogue(self, caller):
        """The catalogue of modules."""
        with self.uow as uow:
            return list(uow.modules.catalogue().values())

    @api("POST", "/modules", roles=TRAINER, body=ModuleSchema, response=ModuleSchema, status=201,
         creates={"code": "code", "module": "code"})
    def add_module(self, caller, body):
        """Add a module to the catalogue."""
        return handlers.add_module(self.uow, **body)

    @api("PUT", "/modules/<code>", roles=TRAINER, body=ModuleChange, response=ModuleSchema)
    def change_module(self, caller, code, body):
        """Change a module: any of its fields but its code."""
        return handlers.change_module(self.uow, code, **body)

    @api("GET", "/modules/<code>/waiting-list", roles=TRAINER, response=WaitingListSchema)
    def waiting_list(self, caller, code):
        """Who waits for a place in a cohort of this module, first in line first."""
        with self.uow as uow:
            if code not in uow.modules.catalogue():
                raise NotFound(f"no module {code!r}")
            return {"module": code, "waiting": uow.waiting.waiting_for(code)}

    @api("GET", "/demand", roles=TRAINER, response=DemandSchema, many=True)
    def demand(self, caller):
        """How many open vacancies ask for each certificate, per sector, as routes are
        proposed from them (a sector of null: the configured demand, before any vacancy is
        known)."""
        return handlers.employer_demand(self.uow)

    @api("GET", "/cohorts", roles=ANY_ROLE, readers=TRAINER, query=CohortQuery,
         response=CohortSchema, many=True)
    def list_cohorts(self, caller, query):
        """For trainers: cohorts by start date, optionally of one module; each member listed is
        logged as a read of their attendance, and a refused attempt (403) too."""
        return handlers.list_cohorts(self.uow, caller, query)

    @api("POST", "/cohorts", roles=TRAINER, body=CohortPlan, response=CohortSchema, status=201,
         refers_to=("module",), creates="cohort_id")
    def plan_cohort(self, caller, body):
        """Plan a cohort; it takes participants from the module's waiting list first."""
        return handlers.plan_cohort(self.uow, **body)

    @api("GET", "/cohorts/<cohort_id>", roles=ANY_ROLE, readers=TRAINER, response=CohortSchema)
    def get_cohort(self, caller, cohort_id):
        """For trainers: one cohort with its members and attendance; each member is logged as a
        read of their attendance, and a refused (403) or failed (404) attempt too."""
        return handlers.read_cohort(self.uow, cohort_id, caller)

    @api("POST", "/cohorts/<cohort_id>/sessions", roles=TRAINER, body=SessionSchema,
         response=CohortSchema, status=201)
    def record_attendance(self, caller, cohort_id, body):
        """Record who was present and absent at one session."""
        return handlers.record_attendance(self.uow, cohort_id, **body)

    @api("GET", "/participants/<participant_id>/programme", roles=ANY_ROLE, readers=TRAINER,
         response=ProgrammeSchema)
    def get_programme(self, caller, participant_id):
        """For trainers: a participant's programme: route, places, attendance, results and
        certificates; every attempt to read it is logged, allowed, refused (403) or not found
        (404)."""
        return handlers.programme_overview(self.uow, participant_id, caller, clock.today())

    @api("POST", "/participants/<participant_id>/enrolments", roles=TRAINER,
         body=EnrolmentRequest, response=ProgrammeSchema, status=201)
    def enrol(self, caller, participant_id, body):
        """Seek a place in a module (the next step, or a retake): a cohort or its waiting list."""
        return handlers.enrol_in_module(self.uow, participant_id, body["module"])

    @api("POST", "/participants/<participant_id>/results", roles=TRAINER,
         body=ModuleResultSchema, response=ProgrammeSchema, status=201)
    def record_result(self, caller, participant_id, body):
        """Record a module's result; a pass awards the module's certificate."""
        return handlers.record_result(self.uow, participant_id, **body)

    @api("POST", "/participants/<participant_id>/results/<module>/correction", roles=TRAINER,
         body=ResultCorrectionRequest, response=ProgrammeSchema)
    def correct_result(self, caller, participant_id, module, body):
        """Put the latest recorded result of a module right, with a reason; the programme keeps
        what it was before."""
        return handlers.correct_result(self.uow, participant_id, module,
                                       corrected_by=caller.name, **body)

    @api("GET", "/participants/<participant_id>/certificates", roles=ANY_ROLE, readers=TRAINER,
         response=CertificateSchema, many=True)
    def certificates(self, caller, participant_id):
        """For trainers: the certificates a participant earned, with number, issuer and expiry;
        every attempt to read them is logged, allowed, refused (403) or not found (404)."""
        return handlers.read_certificates(self.uow, participant_id, caller)

    @api("POST", "/participants/<participant_id>/drop-out", roles=TRAINER,
         body=DropOut, response=ProgrammeSchema)
    def drop_out(self, caller, participant_id, body):
        """End a participant's programme early, with a reason."""
        return handlers.drop_out(self.uow, participant_id, body["reason"])
