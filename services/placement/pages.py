"""The job coach's pages: placements with their status and risk, a placement started, followed
with check-ins to its milestones and ended, its recorded start and end put right, and the
social-return ledger; and an employer's: its own placements, the jobs and never who fills them,
and its social return. In the browser, through the same use cases as the API (handlers.py),
keeping its rules on who sees what
(test_an_employer_sees_its_own_placements_not_who_works_them)."""
from datetime import date

from marshmallow import ValidationError

from services.placement import handlers
from services.placement.domain import MILESTONES, Status, add_months
from services.placement.schemas import (CheckInSchema, CorrectEnd, CorrectStart,
                                        EmployerPlacementSchema, EndPlacement, LedgerQuery,
                                        Period, PlacementQuery, StartPlacement)
from shared import clock
from shared.contracts import vocabulary
from shared.http import Paging, employer_of, require_own
from shared.web.pages import PeoplePages, form_data, page

JOB_COACH = ("job-coach",)
EMPLOYERS = ("employer",)
PAGE_SIZE = 25
PLACEMENT_FILTERS = ("status", "participant_id", "employer_id", "started_after", "started_before", "offset")
LEDGER_FILTERS = ("from", "to", "employer_id")
PERIOD = ("from", "to")
# The placement page's forms.
FORMS = (StartPlacement, CheckInSchema, EndPlacement, CorrectStart, CorrectEnd)


class PlacementPages(PeoplePages):
    organisation_name = "Sociaal werkbedrijf · jobcoaching"
    homes = {"job-coach": "/placement/placements", "employer": "/placement/employer"}

    @page("GET", "/placement/placements", roles=JOB_COACH)
    def placements_page(self, page):
        """Placements by planned start, filtered as the API filters them, page by page; each
        one listed is a read of its participant's coaching."""
        asked = _asked(page, PLACEMENT_FILTERS)
        query = _filters(page, PlacementQuery(), {**asked, "limit": PAGE_SIZE})
        found = handlers.list_placements(self.uow, page.person, query) if query else []
        return page.render("placements.html", placements=found,
                           total=getattr(found, "total", 0),
                           offset=query["offset"] if query else 0, size=PAGE_SIZE, asked=asked,
                           statuses=[status.value for status in Status],
                           occupations=_occupations())

    @page("GET", "/placement/placements/<placement_id>", roles=JOB_COACH)
    def placement_page(self, page, placement_id):
        """A placement with its terms, check-ins, milestones and corrections, and the forms
        that start it, record a check-in, end it and correct its start or end, as far as its
        status allows."""
        placement = handlers.read_placement(self.uow, placement_id, page.person)
        # Each form shown again keeps what was sent. Forms that share a field's name (a
        # reason, a day) are told apart by where they were sent: `sent`, after this page's
        # address, as "/end" or "/start/correction"; "" where none was.
        form_values = {name: value for schema in FORMS
                       for name, value in form_data(schema(), page.raw_form).items()}
        return page.render("placement.html", placement=placement, form_values=form_values,
                           sent=page.request.path.removeprefix(
                               f"/placement/placements/{placement_id}"),
                           today=clock.today().isoformat(), milestones=_milestones(placement),
                           occupations=_occupations(),
                           contract_types=sorted(vocabulary.CONTRACT_TYPES),
                           risk_levels=vocabulary.RISK_LEVELS,
                           end_reasons=sorted(vocabulary.PLACEMENT_END_REASONS),
                           correction_reasons=sorted(vocabulary.CORRECTION_REASONS))

    @page("POST", "/placement/placements/<placement_id>/start", roles=JOB_COACH,
          form=StartPlacement, invalid="placement_page")
    def start_page(self, page, placement_id):
        handlers.start_placement(self.uow, placement_id, **page.form)
        return page.redirect(f"/placement/placements/{placement_id}")

    @page("POST", "/placement/placements/<placement_id>/check-ins", roles=JOB_COACH,
          form=CheckInSchema, invalid="placement_page")
    def check_in_page(self, page, placement_id):
        """A check-in is the signed-in coach's, as over the API, where the caller is the
        coach."""
        handlers.check_in(self.uow, placement_id, coach=page.person.name, **page.form)
        return page.redirect(f"/placement/placements/{placement_id}#check-ins")

    @page("POST", "/placement/placements/<placement_id>/end", roles=JOB_COACH,
          form=EndPlacement, invalid="placement_page")
    def end_page(self, page, placement_id):
        handlers.end_placement(self.uow, placement_id, **page.form)
        return page.redirect(f"/placement/placements/{placement_id}")

    @page("POST", "/placement/placements/<placement_id>/start/correction", roles=JOB_COACH,
          form=CorrectStart, invalid="placement_page")
    def correct_start_page(self, page, placement_id):
        """A correction is the signed-in coach's, as over the API."""
        handlers.correct_start(self.uow, placement_id, corrected_by=page.person.name,
                               **page.form)
        return page.redirect(f"/placement/placements/{placement_id}#corrections")

    @page("POST", "/placement/placements/<placement_id>/end/correction", roles=JOB_COACH,
          form=CorrectEnd, invalid="placement_page")
    def correct_end_page(self, page, placement_id):
        handlers.correct_end(self.uow, placement_id, corrected_by=page.person.name, **page.form)
        return page.redirect(f"/placement/placements/{placement_id}#corrections")

    @page("GET", "/placement/social-return", roles=JOB_COACH)
    def social_return_page(self, page):
        """The social-return ledger per employer for a period, by default this year."""
        asked = {**_this_year(), **_asked(page, LEDGER_FILTERS)}
        query = _filters(page, LedgerQuery(), asked)
        entries = sorted(handlers.ledger(self.uow, **query).items()) if query else []
        offset = _offset(page)
        return page.render("social_return.html", entries=entries[offset:offset + PAGE_SIZE],
                           total=len(entries), offset=offset, size=PAGE_SIZE, asked=asked,
                           employer_id=None)

    @page("GET", "/placement/employer", roles=EMPLOYERS)
    def own_employer_page(self, page):
        """An employer's first page: its own placements."""
        return page.redirect(f"/placement/employers/{employer_of(page.person)}/placements")

    @page("GET", "/placement/employers/<employer_id>/placements", roles=EMPLOYERS)
    def employer_placements_page(self, page, employer_id):
        """An employer's own placements, as the API gives them to it: the jobs, not who works
        them nor their coaching; another employer's do not exist for it."""
        require_own(page.person, employer_id)
        offset = _offset(page)
        with self.uow as uow:
            found = uow.placements.list(employer_id=employer_id, offset=offset, limit=PAGE_SIZE)
        return page.render("employer_placements.html", employer_id=employer_id,
                           placements=EmployerPlacementSchema(many=True).dump(found),
                           total=found.total, offset=offset, size=PAGE_SIZE,
                           occupations=_occupations())

    @page("GET", "/placement/employers/<employer_id>/social-return", roles=EMPLOYERS)
    def employer_social_return_page(self, page, employer_id):
        """An employer's own social-return ledger for a period, by default this year."""
        require_own(page.person, employer_id)
        asked = {**_this_year(), **_asked(page, PERIOD)}
        query = _filters(page, Period(), asked)
        ledger = handlers.ledger(self.uow, employer_id=employer_id, **query) if query else {}
        entries = sorted(ledger.items())
        return page.render("social_return.html", entries=entries, total=len(entries), offset=0,
                           size=PAGE_SIZE, asked=asked, employer_id=employer_id)


def _asked(page, names):
    return {key: value for key, value in page.query.items() if key in names and value}


def _this_year():
    today = clock.today()
    return {"from": date(today.year, 1, 1).isoformat(),
            "to": date(today.year + 1, 1, 1).isoformat()}


def _offset(page):
    """Where in a list the page starts, as the API's paging reads it; 0 where it refuses it."""
    return (_filters(page, Paging(only=("offset",)),
                     {"offset": page.query.get("offset") or 0}) or {"offset": 0})["offset"]


def _filters(page, schema, asked):
    """The filters as the API's schema reads them; None, with the errors beside the filters,
    where it refuses them."""
    try:
        return schema.load(asked)
    except ValidationError as refused:
        page.refused(refused)
        return None


def _milestones(placement):
    """Each milestone with its day: reached, or to be reached while the placement lasts."""
    if placement.started_on is None:
        return []
    return [(months, add_months(placement.started_on, months), months in placement.milestones)
            for months in MILESTONES]


def _occupations():
    return {code: name for code, (_, name) in vocabulary.OCCUPATIONS.items()}
