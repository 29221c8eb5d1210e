"""The pages of the social service's employer desk and of employers: the employers the desk
works with, vacancies, the ranking of candidates for one and the vacancies for a candidate, and
proposals answered, in the browser, through the same use cases as the API (handlers.py),
keeping its rules on who sees what: an employer sees only its own
(test_an_employer_sees_only_its_own_vacancies); the desk alone publishes, changes and closes
vacancies here."""
from services.matching import handlers
from services.matching.schemas import (EmployerIn, EmployerResponse, ProposalQuery,
                                       ProposalResponse, RankingQuery, VacancyClosure, VacancyIn,
                                       VacancyQuery)
from shared.contracts import vocabulary
from shared.errors import NotFound
from shared.http import Paging, employer_of, require_own
from shared.web.pages import PeoplePages, form_data, page

DESK = ("employer-desk",)
EMPLOYERS = ("employer",)
DESK_AND_EMPLOYERS = DESK + EMPLOYERS
PAGE_SIZE = 25


class VacancyForm(VacancyIn):
    """The change a vacancy's page sends: every field but its employer, so that one left empty
    (a box unticked, no shift) empties it, where the API's partial change (VacancyChange) would
    keep what it was."""

    def __init__(self, **kwargs):
        super().__init__(exclude=("employer_id",), **kwargs)


class MatchingPages(PeoplePages):
    organisation_name = "Sociale dienst · werkgeversservicepunt"
    homes = {"employer-desk": "/matching/vacancies", "employer": "/matching/vacancies"}

    @page("GET", "/matching/vacancies", roles=DESK_AND_EMPLOYERS)
    def vacancies_page(self, page):
        """Vacancies by start date, filtered by status and text, page by page; an employer
        sees only its own, the desk all of them and the form that publishes one."""
        asked = {key: value for key, value in page.query.items()
                 if key in ("status", "q", "offset") and value}
        query = VacancyQuery().load({**asked, "limit": PAGE_SIZE})
        if page.person.role == "employer":
            query["employer_id"] = employer_of(page.person)
        with self.uow as uow:
            found = uow.vacancies.list(**query)
            employers = ({} if page.person.role == "employer" else
                         {employer.id: employer.name for employer in uow.employers.list(limit=500)})
        return page.render("vacancies.html", vacancies=found, total=found.total,
                           offset=query["offset"], size=PAGE_SIZE, asked=asked,
                           employers=employers, form_values=form_data(VacancyIn(), page.raw_form),
                           statuses=["open", "filled", "closed"], **_vacancy_choices())

    @page("POST", "/matching/vacancies", roles=DESK, form=VacancyIn, invalid="vacancies_page")
    def publish_vacancy_page(self, page):
        require_own(page.person, page.form["employer_id"])
        vacancy = handlers.publish_vacancy(self.uow, **page.form)
        return page.redirect(f"/matching/vacancies/{vacancy.id}")

    @page("GET", "/matching/vacancies/<vacancy_id>", roles=DESK_AND_EMPLOYERS)
    def vacancy_page(self, page, vacancy_id):
        """A vacancy; for the desk its ranking with each candidate's reasoning, the near misses
        with the training that would close their gap, on request those it excludes and why,
        its proposals and, while it is open, the forms that change and close it; for its
        employer the proposals with anonymous candidates."""
        with self.uow as uow:
            vacancy = uow.vacancies.get(vacancy_id)
            require_own(page.person, vacancy.employer_id, what="vacancy")
            employer = uow.employers.get(vacancy.employer_id)
        ranking = proposals = form_values = None
        if page.person.role in DESK:
            # The change shows the vacancy as it is, or as it was sent where the change (sent to
            # this page's own address, not to its closure) was refused.
            changed = page.request.method == "POST" and page.request.path.endswith(vacancy_id)
            form_values = (form_data(VacancyForm(), page.raw_form) if changed
                           else VacancyForm().dump(vacancy))
            asked = RankingQuery().load({key: value for key, value in page.query.items()
                                         if key == "include_excluded" and value})
            ranking = handlers.ranking_for_vacancy(self.uow, vacancy_id, page.person, **asked)
            proposals = handlers.list_proposals(self.uow, page.person, ProposalQuery().load(
                {"vacancy_id": vacancy_id, "limit": PAGE_SIZE}))
        else:
            with self.uow as uow:
                proposals = uow.proposals.list(employer_id=vacancy.employer_id,
                                               vacancy_id=vacancy_id, limit=PAGE_SIZE)
        return page.render("vacancy.html", vacancy=vacancy, employer=employer, ranking=ranking,
                           proposals=proposals, form_values=form_values,
                           close_reasons=sorted(vocabulary.VACANCY_CLOSE_REASONS),
                           **_vacancy_choices())

    @page("POST", "/matching/vacancies/<vacancy_id>", roles=DESK, form=VacancyForm,
          invalid="vacancy_page")
    def change_vacancy_page(self, page, vacancy_id):
        """The desk changes a vacancy: it is ranked again, and proposals it no longer allows
        lapse, as over the API."""
        handlers.change_vacancy(self.uow, vacancy_id, **page.form)
        return page.redirect(f"/matching/vacancies/{vacancy_id}")

    @page("POST", "/matching/vacancies/<vacancy_id>/closure", roles=DESK, form=VacancyClosure,
          invalid="vacancy_page")
    def close_vacancy_page(self, page, vacancy_id):
        """The desk closes a vacancy, with the reason; its pending proposals lapse."""
        handlers.close_vacancy(self.uow, vacancy_id, page.form["reason"])
        return page.redirect(f"/matching/vacancies/{vacancy_id}")

    @page("GET", "/matching/employers", roles=DESK)
    def employers_page(self, page):
        """Employers by name, page by page, and the form that registers one."""
        asked = {key: value for key, value in page.query.items() if key == "offset" and value}
        query = Paging().load({**asked, "limit": PAGE_SIZE})
        with self.uow as uow:
            found = uow.employers.list(**query)
        return page.render("employers.html", employers=found, total=found.total,
                           offset=query["offset"], size=PAGE_SIZE,
                           form_values=form_data(EmployerIn(), page.raw_form),
                           sectors=sorted(vocabulary.SECTORS))

    @page("POST", "/matching/employers", roles=DESK, form=EmployerIn, invalid="employers_page")
    def register_employer_page(self, page):
        employer = handlers.register_employer(self.uow, **page.form)
        return page.redirect(f"/matching/employers#employer-{employer.id}")

    @page("GET", "/matching/candidates/<participant_id>/vacancies", roles=DESK)
    def candidate_vacancies_page(self, page, participant_id):
        """The open vacancies a candidate may take, best first, with the reasoning: a read of
        the candidate's assessment, as over the API."""
        matches = handlers.vacancies_for_candidate(self.uow, participant_id, page.person)
        with self.uow as uow:
            vacancies = {match["vacancy_id"]: uow.vacancies.get(match["vacancy_id"])
                         for match in matches}
            employers = {vacancy.employer_id: uow.employers.get(vacancy.employer_id).name
                         for vacancy in vacancies.values()}
        return page.render("candidate_vacancies.html", participant_id=participant_id,
                           matches=matches, vacancies=vacancies, employers=employers)

    @page("GET", "/matching/proposals", roles=DESK_AND_EMPLOYERS)
    def proposals_page(self, page, proposal_id=None):
        """Proposals, in the order they were made: for an employer its own with anonymous
        candidates, for the desk all of them with the full reasoning, by status; shown again
        after a refused answer, with the errors beside the answered proposal's fields."""
        asked = {key: value for key, value in page.query.items()
                 if key in ("status", "offset") and value}
        query = ProposalQuery().load({**asked, "limit": PAGE_SIZE})
        if page.person.role == "employer":
            with self.uow as uow:
                found = uow.proposals.list(employer_id=employer_of(page.person), **query)
        else:
            found = handlers.list_proposals(self.uow, page.person, query)
        return page.render("proposals.html", proposals=found, total=found.total,
                           offset=query["offset"], size=PAGE_SIZE, asked=asked,
                           statuses=["proposed", "accepted", "declined", "expired"],
                           answered=proposal_id)

    @page("POST", "/matching/proposals/<proposal_id>/employer-response", roles=EMPLOYERS,
          form=EmployerResponse, invalid="proposals_page")
    def employer_answer_page(self, page, proposal_id):
        """The employer accepts or declines a proposal for one of its own vacancies."""
        employer_id = employer_of(page.person)

        def for_this_employer(proposal):
            if proposal.employer_id != employer_id:
                raise NotFound(f"no proposal {proposal_id} for this employer")
        handlers.respond_to_proposal(self.uow, proposal_id, party="employer",
                                     authorise=for_this_employer, **page.form)
        return page.redirect(f"/matching/proposals#proposal-{proposal_id}")

    @page("POST", "/matching/proposals/<proposal_id>/responses", roles=DESK,
          form=ProposalResponse, invalid="proposals_page")
    def desk_answer_page(self, page, proposal_id):
        """The desk answers for the candidate, or for an employer who calls in."""
        handlers.respond_to_proposal(self.uow, proposal_id, **page.form)
        return page.redirect(f"/matching/proposals#proposal-{proposal_id}")


def _vacancy_choices():
    """The codes a vacancy's forms offer."""
    return {"occupations": sorted(vocabulary.OCCUPATIONS), "sectors": sorted(vocabulary.SECTORS),
            "certificates": sorted(vocabulary.CERTIFICATES), "skills": sorted(vocabulary.SKILLS),
            "vog_risk_areas": sorted(vocabulary.VOG_RISK_AREAS),
            "language_level_choices": [(level, level) for level in vocabulary.LANGUAGE_LEVELS]}
