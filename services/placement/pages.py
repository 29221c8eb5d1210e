"""The job coach's pages: placements with their status and risk, a placement started, followed
with check-ins to its milestones and ended, and the social-return ledger, in the browser,
through the same use cases as the API (handlers.py)."""
from datetime import date

from marshmallow import ValidationError

from services.placement import handlers
from services.placement.domain import MILESTONES, Status, add_months
from services.placement.schemas import (CheckInSchema, EndPlacement, LedgerQuery,
                                        PlacementQuery, StartPlacement)
from shared import clock
from shared.contracts import vocabulary
from shared.http import Paging
from shared.web.pages import PeoplePages, form_data, page

JOB_COACH = ("job-coach",)
PAGE_SIZE = 25
PLACEMENT_FILTERS = ("status", "participant_id", "employer_id", "started_after", "started_before", "offset")
LEDGER_FILTERS = ("from", "to", "employer_id")


class PlacementPages(PeoplePages):
    organisation_name = "Sociaal werkbedrijf · jobcoaching"
    homes = {"job-coach": "/placement/placements"}

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
        """A placement with its terms, check-ins and milestones, and the forms that start it,
        record a check-in and end it, as far as its status allows."""
        placement = handlers.read_placement(self.uow, placement_id, page.person)
        # Each form shown again keeps what was sent; the three forms' fields differ by name.
        form_values = {**form_data(StartPlacement(), page.raw_form),
                       **form_data(CheckInSchema(), page.raw_form),
                       **form_data(EndPlacement(), page.raw_form)}
        return page.render("placement.html", placement=placement, form_values=form_values,
                           today=clock.today().isoformat(), milestones=_milestones(placement),
                           occupations=_occupations(),
                           contract_types=sorted(vocabulary.CONTRACT_TYPES),
                           risk_levels=vocabulary.RISK_LEVELS,
                           end_reasons=sorted(vocabulary.PLACEMENT_END_REASONS))

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

    @page("GET", "/placement/social-return", roles=JOB_COACH)
    def social_return_page(self, page):
        """The social-return ledger per employer for a period, by default this year."""
        today = clock.today()
        asked = {"from": date(today.year, 1, 1).isoformat(),
                 "to": date(today.year + 1, 1, 1).isoformat(),
                 **_asked(page, LEDGER_FILTERS)}
        query = _filters(page, LedgerQuery(), asked)
        entries = sorted(handlers.ledger(self.uow, **query).items()) if query else []
        offset = (_filters(page, Paging(only=("offset",)),
                           {"offset": page.query.get("offset") or 0}) or {"offset": 0})["offset"]
        return page.render("social_return.html", entries=entries[offset:offset + PAGE_SIZE],
                           total=len(entries), offset=offset, size=PAGE_SIZE, asked=asked)


def _asked(page, names):
    return {key: value for key, value in page.query.items() if key in names and value}


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
