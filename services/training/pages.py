"""The trainer's pages: the module catalogue with a page per module that changes it, cohorts
with their attendance, waiting lists, employers' demand and each participant's programme, where
a result is recorded or put right, a place sought by hand and a drop-out recorded; in the
browser, through the same use cases as the API (handlers.py)."""
from marshmallow import fields, validate

from services.training import handlers
from services.training.domain import Status, StepStatus
from services.training.schemas import (CohortPlan, CohortQuery, DropOut, EnrolmentRequest,
                                       ModuleResultSchema, ModuleSchema,
                                       ResultCorrectionRequest, SessionSchema)
from shared import clock
from shared.contracts import vocabulary
from shared.contracts.fields import UUID_PATTERN
from shared.errors import NotFound
from shared.http import Paging
from shared.web.pages import PeoplePages, form_data, page

TRAINER = ("trainer",)
PAGE_SIZE = 25
# The participant page's forms.
PARTICIPANT_FORMS = (ModuleResultSchema, ResultCorrectionRequest, EnrolmentRequest, DropOut)
# Steps a place is sought for by hand: not begun yet, or failed and taken again. One who waits
# for a place is not offered it: seeking again would put them last in line.
ENROLLABLE = (StepStatus.PLANNED, StepStatus.FAILED)


class TickList(SessionSchema):
    """The tick list as the page sends it, with the members it listed: one who joined the
    cohort after it was shown is not recorded absent from a session no one saw them miss."""
    listed = fields.List(fields.String(validate=validate.Regexp(UUID_PATTERN)),
                         load_default=list, validate=validate.Length(max=100))


class ModuleForm(ModuleSchema):
    """The change a module's page sends: all its fields but its code, so that one left empty
    (no sectors, no expiry) empties it, where the API's partial change (ModuleChange) would
    keep what it was."""

    def __init__(self, **kwargs):
        super().__init__(exclude=("code",), **kwargs)


class TrainingPages(PeoplePages):
    organisation_name = "Sociaal werkbedrijf"
    homes = {"trainer": "/training/cohorts"}

    @page("GET", "/training/modules", roles=TRAINER)
    def modules_page(self, page):
        """The catalogue, with the form that adds a module to it."""
        with self.uow as uow:
            catalogue = list(uow.modules.catalogue().values())
        offset = _offset(page)
        return page.render("modules.html", modules=catalogue[offset:offset + PAGE_SIZE],
                           total=len(catalogue), offset=offset, size=PAGE_SIZE,
                           codes=[module.code for module in catalogue],
                           form_values=form_data(ModuleSchema(), page.raw_form),
                           **_module_choices())

    @page("POST", "/training/modules", roles=TRAINER, form=ModuleSchema, invalid="modules_page")
    def add_module_page(self, page):
        module = handlers.add_module(self.uow, **page.form)
        return page.redirect(f"/training/modules#module-{module.code}")

    @page("GET", "/training/modules/<code>", roles=TRAINER)
    def module_page(self, page, code):
        """A module, with the form that changes any of its fields but its code."""
        with self.uow as uow:
            catalogue = uow.modules.catalogue()
        if code not in catalogue:
            raise NotFound(f"no module {code!r}")
        module = catalogue[code]
        # Its fields as they are, or as they were sent when refused.
        form_values = (form_data(ModuleForm(), page.raw_form) if page.raw_form
                       else ModuleForm().dump(module))
        return page.render("module.html", module=module, form_values=form_values,
                           codes=[other for other in catalogue if other != code],
                           **_module_choices())

    @page("POST", "/training/modules/<code>", roles=TRAINER, form=ModuleForm,
          invalid="module_page")
    def module_change_page(self, page, code):
        handlers.change_module(self.uow, code, **page.form)
        return page.redirect(f"/training/modules#module-{code}")

    @page("GET", "/training/modules/<code>/waiting-list", roles=TRAINER)
    def waiting_list_page(self, page, code):
        """Who waits for a place in a cohort of the module, first in line first."""
        with self.uow as uow:
            module = uow.modules.catalogue().get(code)
            if module is None:
                raise NotFound(f"no module {code!r}")
            waiting = uow.waiting.waiting_for(code)
        offset = _offset(page)
        return page.render("waiting_list.html", module=module, offset=offset, size=PAGE_SIZE,
                           waiting=list(enumerate(waiting, start=1))[offset:offset + PAGE_SIZE],
                           total=len(waiting))

    @page("GET", "/training/demand", roles=TRAINER)
    def demand_page(self, page):
        """How many open vacancies ask for each certificate, per sector: what the routes of
        newly admitted participants are proposed from."""
        demand = handlers.employer_demand(self.uow)
        offset = _offset(page)
        return page.render("demand.html", demand=demand[offset:offset + PAGE_SIZE],
                           total=len(demand), offset=offset, size=PAGE_SIZE)

    @page("GET", "/training/cohorts", roles=TRAINER)
    def cohorts_page(self, page):
        """Cohorts by start date, of one module when asked, page by page, with the form that
        plans one."""
        asked = {key: value for key, value in page.query.items()
                 if key in ("module", "offset") and value}
        query = CohortQuery().load({**asked, "limit": PAGE_SIZE})
        found = handlers.list_cohorts(self.uow, page.person, query)
        with self.uow as uow:
            catalogue = uow.modules.catalogue()
        return page.render("cohorts.html", cohorts=found, total=found.total,
                           offset=query["offset"], size=PAGE_SIZE, asked=asked,
                           catalogue=catalogue,
                           module_choices=[(code, module.name)
                                           for code, module in catalogue.items()],
                           form_values=form_data(CohortPlan(), page.raw_form))

    @page("POST", "/training/cohorts", roles=TRAINER, form=CohortPlan, invalid="cohorts_page")
    def plan_cohort_page(self, page):
        cohort = handlers.plan_cohort(self.uow, **page.form)
        return page.redirect(f"/training/cohorts/{cohort.id}")

    @page("GET", "/training/cohorts/<cohort_id>", roles=TRAINER)
    def cohort_page(self, page, cohort_id):
        """A cohort's places, members and sessions, with a tick list for the next session."""
        cohort = handlers.read_cohort(self.uow, cohort_id, page.person)
        with self.uow as uow:
            module = uow.modules.catalogue().get(cohort.module)
        # Everyone ticked to start with; shown again, the list as it was sent.
        return page.render("cohort.html", cohort=cohort, module=module,
                           held_on=page.raw_form.get("held_on", clock.today().isoformat()),
                           ticked=(page.raw_form.getlist("present") if page.raw_form
                                   else cohort.members))

    @page("POST", "/training/cohorts/<cohort_id>/sessions", roles=TRAINER, form=TickList,
          invalid="cohort_page")
    def attendance_page(self, page, cohort_id):
        """The tick list: every member ticked was present, every other member it listed absent
        (test_attendance_is_recorded_as_a_tick_list)."""
        present = page.form["present"]
        handlers.record_attendance(self.uow, cohort_id, page.form["held_on"], present,
                                   [member for member in page.form["listed"]
                                    if member not in present])
        return page.redirect(f"/training/cohorts/{cohort_id}#sessions")

    @page("GET", "/training/participants/<participant_id>", roles=TRAINER)
    def participant_page(self, page, participant_id):
        """A participant's programme: route, places, attendance, results with their
        corrections and certificates, and whether it ends before the expected release; with
        the forms that seek a place, record a result, put one right and record a drop-out, as
        far as the programme's status allows."""
        programme = handlers.programme_overview(self.uow, participant_id, page.person,
                                                clock.today())
        with self.uow as uow:
            names = {code: module.name for code, module in uow.modules.catalogue().items()}
        active = programme["status"] is Status.ACTIVE

        def modules_whose_step_is(*statuses):
            return [(step["module"], names.get(step["module"], step["module"]))
                    for step in programme["steps"] if active and step["status"] in statuses]

        # Each form shown again keeps what was sent. Forms that share a field's name (a module,
        # a reason) are told apart by where they were sent: `sent`, after this page's address,
        # as "/results" or "/results/bhv/correction"; "" where none was.
        form_values = {name: value for schema in PARTICIPANT_FORMS
                       for name, value in form_data(schema(), page.raw_form).items()}
        return page.render("participant.html", programme=programme, today=clock.today(),
                           names=names, form_values=form_values,
                           sent=page.request.path.removeprefix(
                               f"/training/participants/{participant_id}"),
                           # A result is for a module followed in a cohort now
                           # (Programme.record_result).
                           enrolled=modules_whose_step_is(StepStatus.ENROLLED),
                           enrollable=modules_whose_step_is(*ENROLLABLE),
                           # The latest result of each module, the one a correction puts right.
                           latest={result.module: result
                                   for result in programme["results"]}.values(),
                           correction_reasons=sorted(
                               ResultCorrectionRequest().fields["reason"].choices),
                           drop_out_reasons=sorted(DropOut().fields["reason"].choices))

    @page("POST", "/training/participants/<participant_id>/results", roles=TRAINER,
          form=ModuleResultSchema, invalid="participant_page")
    def result_page(self, page, participant_id):
        handlers.record_result(self.uow, participant_id, **page.form)
        return page.redirect(f"/training/participants/{participant_id}#results")

    @page("POST", "/training/participants/<participant_id>/results/<module>/correction",
          roles=TRAINER, form=ResultCorrectionRequest, invalid="participant_page")
    def result_correction_page(self, page, participant_id, module):
        """A correction is the signed-in trainer's, as over the API."""
        handlers.correct_result(self.uow, participant_id, module,
                                corrected_by=page.person.name, **page.form)
        return page.redirect(f"/training/participants/{participant_id}#results")

    @page("POST", "/training/participants/<participant_id>/enrolments", roles=TRAINER,
          form=EnrolmentRequest, invalid="participant_page")
    def enrolment_page(self, page, participant_id):
        handlers.enrol_in_module(self.uow, participant_id, page.form["module"])
        return page.redirect(f"/training/participants/{participant_id}#programme")

    @page("POST", "/training/participants/<participant_id>/drop-out", roles=TRAINER,
          form=DropOut, invalid="participant_page")
    def drop_out_page(self, page, participant_id):
        handlers.drop_out(self.uow, participant_id, page.form["reason"])
        return page.redirect(f"/training/participants/{participant_id}")


def _module_choices():
    """The choices of a module's form."""
    return {"certificates": sorted(vocabulary.CERTIFICATES),
            "sectors": sorted(vocabulary.SECTORS),
            "language_level_choices": [(level, level) for level in vocabulary.LANGUAGE_LEVELS]}


def _offset(page):
    """Where a list page starts, as the API's paging reads it."""
    return Paging(only=("offset",)).load({"offset": page.query.get("offset") or 0})["offset"]
