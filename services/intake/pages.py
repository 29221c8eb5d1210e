"""The PI's pages: a case manager registers, screens, selects and releases participants in the
browser, through the same use cases as the API (handlers.py); the privacy officer reads the
audit log and exports it."""
import re
from datetime import datetime, time, timedelta

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.intake import handlers
from services.intake.domain import Status
from services.intake.schemas import (BasicConditionsUpdate, ConsentSchema, ParticipantQuery,
                                     RegisterParticipant, Release, ReleaseDateChange,
                                     ScreeningSchema, SelectionDecision, Withdrawal)
from shared import clock
from shared.contracts import vocabulary
from shared.contracts.fields import UUID_PATTERN, Text
from shared.contracts.municipalities import MUNICIPALITIES
from shared.http import MAX_OFFSET, ApiError
from shared.service import PRIVACY_OFFICER, PersonalDataReadSchema, csv_of
from shared.web.render import secured
from shared.web.pages import PeoplePages, flat_messages, form_data, page

CASE_MANAGER = ("pi-case-manager",)
PAGE_SIZE = 25
# An export larger than this asks for narrower filters.
MOST_EXPORTED = 10_000


class AuditFilters(Schema):
    """The audit log's filters as the page's form gives them: days, in Amsterdam."""
    participant_id = fields.String(load_default=None, validate=validate.Regexp(UUID_PATTERN))
    reader = Text(120, load_default=None)
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))

    @post_load
    def to_moments(self, data, **kwargs):
        for name, day in (("since", data["since"]), ("until", data["until"])):
            if day is not None:
                # Until a day is until the end of it.
                day += timedelta(days=1) if name == "until" else timedelta(0)
                data[name] = datetime.combine(day, time(), clock.ZONE)
        return data


class IntakePages(PeoplePages):
    organisation_name = "Penitentiaire inrichting"
    homes = {"pi-case-manager": "/pi/participants", "pi-privacy-officer": "/pi/audit"}

    @page("GET", "/pi/participants", roles=CASE_MANAGER)
    def participants_page(self, page):
        """Participants by expected release date, filtered by status, page by page."""
        asked = {key: value for key, value in page.query.items()
                 if key in ("status", "order", "offset") and value}
        query = ParticipantQuery().load({**asked, "limit": PAGE_SIZE})
        found = handlers.list_participants(self.uow, page.person, query, name=query.pop("name"),
                                           bsn=query.pop("bsn"))
        return page.render("participants.html", participants=found, total=found.total,
                           offset=query["offset"], size=PAGE_SIZE, asked=asked,
                           statuses=[s.value for s in Status])

    @page("GET", "/pi/participants/new", roles=CASE_MANAGER)
    def new_participant_page(self, page):
        return page.render("register.html",
                           form_values=form_data(RegisterParticipant(), page.raw_form),
                           **_choices())

    @page("POST", "/pi/participants/new", roles=CASE_MANAGER, form=RegisterParticipant,
          invalid="new_participant_page")
    def register_page(self, page):
        participant = handlers.register_participant(self.uow, **page.form)
        return page.redirect(f"/pi/participants/{participant.id}")

    @page("GET", "/pi/participants/<participant_id>", roles=CASE_MANAGER)
    def participant_page(self, page, participant_id, identity=None):
        """A participant's record and their journey through the chain, as `doorstroom trace`
        shows it but only what the PI may hear of; their identity only when asked for
        (identity_page)."""
        participant = handlers.read_participant(self.uow, participant_id, page.person)
        conditions = {c.condition: c for c in participant.basic_conditions}
        journey = handlers.journey_of(self.uow, participant_id, page.person)
        page.errors = _beside_lists(page.errors)
        return page.render("participant.html", participant=participant, identity=identity,
                           conditions=conditions, today=clock.today(), journey=journey,
                           erasure=handlers.erasure_of(self.uow, participant_id),
                           screening_form=_screening_form(page, participant), **_choices())

    @page("POST", "/pi/participants/<participant_id>/identity", roles=CASE_MANAGER)
    def identity_page(self, page, participant_id):
        """Name, BSN and date of birth, shown on an explicit request (a POST, so that they
        never stand in a URL), which the audit log records as a read."""
        identity = handlers.read_identity(self.uow, participant_id, page.person)
        return self.participant_page(page, participant_id, identity=identity)

    @page("POST", "/pi/participants/<participant_id>/screening", roles=CASE_MANAGER,
          form=ScreeningSchema, invalid="participant_page")
    def screening_page(self, page, participant_id):
        handlers.screen_participant(self.uow, participant_id, page.form)
        return page.redirect(f"/pi/participants/{participant_id}#screening")

    @page("POST", "/pi/participants/<participant_id>/consents", roles=CASE_MANAGER,
          form=ConsentSchema, invalid="participant_page")
    def consent_page(self, page, participant_id):
        handlers.record_consent(self.uow, participant_id, **page.form)
        return page.redirect(f"/pi/participants/{participant_id}#consents")

    @page("POST", "/pi/participants/<participant_id>/consents/<purpose>/withdrawal",
          roles=CASE_MANAGER, invalid="participant_page")
    def consent_withdrawal_page(self, page, participant_id, purpose):
        handlers.withdraw_consent(self.uow, participant_id, purpose)
        return page.redirect(f"/pi/participants/{participant_id}#consents")

    @page("POST", "/pi/participants/<participant_id>/selection", roles=CASE_MANAGER,
          form=SelectionDecision, invalid="participant_page")
    def selection_page(self, page, participant_id):
        if page.form["decision"] == "admit":
            handlers.admit_participant(self.uow, participant_id)
        else:
            handlers.reject_participant(self.uow, participant_id, page.form["reason"])
        return page.redirect(f"/pi/participants/{participant_id}")

    @page("POST", "/pi/participants/<participant_id>/release-date", roles=CASE_MANAGER,
          form=ReleaseDateChange, invalid="participant_page")
    def release_date_page(self, page, participant_id):
        handlers.change_release_date(self.uow, participant_id, **page.form)
        return page.redirect(f"/pi/participants/{participant_id}")

    @page("POST", "/pi/participants/<participant_id>/basic-conditions", roles=CASE_MANAGER,
          invalid="participant_page")
    def basic_conditions_page(self, page, participant_id):
        """The five basic conditions as a checklist: each one given a status is recorded."""
        given = [{"condition": condition, "status": page.raw_form.get(f"{condition}.status"),
                  "since": page.raw_form.get(f"{condition}.since") or None}
                 for condition in vocabulary.BASIC_CONDITIONS
                 if page.raw_form.get(f"{condition}.status")]
        try:
            conditions = BasicConditionsUpdate().load({"conditions": given})["conditions"]
        except ValidationError as refused:
            # The checklist names its fields by condition, not by place in the list.
            by_place = refused.messages.get("conditions", {})
            raise ValidationError({
                f"{given[place]['condition']}.{name}" if isinstance(place, int) else name:
                messages for place, problem in (by_place.items() if isinstance(by_place, dict)
                                                else [("conditions", by_place)])
                for name, messages in (flat_messages(problem).items()
                                       if isinstance(problem, dict) else [("", problem)])}
            ) from None
        handlers.update_basic_conditions(self.uow, participant_id, conditions)
        return page.redirect(f"/pi/participants/{participant_id}#basic-conditions")

    @page("POST", "/pi/participants/<participant_id>/release", roles=CASE_MANAGER,
          form=Release, invalid="participant_page")
    def release_page(self, page, participant_id):
        handlers.release_participant(self.uow, participant_id, page.form["released_on"])
        return page.redirect(f"/pi/participants/{participant_id}")

    @page("POST", "/pi/participants/<participant_id>/withdrawal", roles=CASE_MANAGER,
          form=Withdrawal, invalid="participant_page")
    def withdrawal_page(self, page, participant_id):
        handlers.withdraw_participant(self.uow, participant_id, **page.form)
        return page.redirect(f"/pi/participants/{participant_id}")


    @page("GET", "/pi/audit", roles=PRIVACY_OFFICER)
    def audit_page(self, page):
        """Who read or tried to read whose personal data, in the order logged, filtered."""
        filters = _audit_filters(page)
        with self.uow as uow:
            reads = uow.audit.reads(**filters, limit=PAGE_SIZE)
            check = uow.audit.check()
        return page.render("audit.html", reads=reads, total=reads.total, check=check,
                           offset=filters["offset"], size=PAGE_SIZE, asked=page.query)

    @page("GET", "/pi/audit/export", roles=PRIVACY_OFFICER)
    def audit_export(self, page):
        """The entries the filters find, every page of them, as CSV."""
        filters = dict(_audit_filters(page), offset=0)
        with self.uow as uow:
            reads = uow.audit.reads(**filters, limit=MOST_EXPORTED)
        if reads.total > MOST_EXPORTED:
            raise ApiError(422, f"meer dan {MOST_EXPORTED} regels: kies een kortere periode")
        response = csv_of(PersonalDataReadSchema(), reads)
        response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
        return secured(response)


def _audit_filters(page):
    filters = AuditFilters()
    return filters.load({key: value for key, value in page.query.items()
                         if key in filters.fields and value})


def _screening_form(page, participant):
    """What the screening form shows: what was sent, where it was refused, so that nothing the
    case manager gave is lost; otherwise what was recorded, in the shape the form sends."""
    if page.request.path.endswith("/screening"):
        return form_data(ScreeningSchema(), page.raw_form)
    return ScreeningSchema().dump(participant.screening) if participant.screening else {}


def _beside_lists(errors):
    """The errors of a list's items (`occupations.0`) beside the list: the form names a list
    once, whichever of its boxes or options was refused."""
    beside = {}
    for name, texts in errors.items():
        said = beside.setdefault(re.sub(r"\.[0-9]+$", "", name), [])
        said += [text for text in texts if text not in said]
    return beside


def _choices():
    """The codes the forms offer, each with what the page shows of it."""
    return {
        "target_groups": sorted(vocabulary.TARGET_GROUPS),
        "municipality_choices": sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        "purposes": sorted(vocabulary.CONSENT_PURPOSES),
        "legal_bases": sorted(vocabulary.LEGAL_BASES),
        "rejection_reasons": sorted(vocabulary.REJECTION_REASONS),
        "withdrawal_reasons": sorted(vocabulary.WITHDRAWAL_REASONS),
        "basic_conditions": vocabulary.BASIC_CONDITIONS,
        "condition_statuses": sorted(vocabulary.CONDITION_STATUSES),
        "language_level_choices": [(level, level) for level in vocabulary.LANGUAGE_LEVELS],
        "occupations": sorted(vocabulary.OCCUPATIONS),
        "skills": sorted(vocabulary.SKILLS),
        "sectors": sorted(vocabulary.SECTORS),
        "vog_risk_areas": sorted(vocabulary.VOG_RISK_AREAS),
    }
