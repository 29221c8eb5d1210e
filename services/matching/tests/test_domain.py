from datetime import date, datetime, timedelta, timezone

import pytest

from services.matching.domain import (HARD_CONSTRAINTS, WEIGHTS, Candidate, CandidateStatus,
                                      Proposal, ProposalStatus, Vacancy, VacancyStatus, assess,
                                      rank)
from shared.errors import Conflict, Invalid

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)


def candidate(**overrides):
    values = dict(participant_id="p", municipality="0505",
                  expected_release_date=date(2027, 1, 15), language_level="B1",
                  occupations=("office-cleaner",), skills=("teamwork", "cleaning-techniques"),
                  preferred_sectors=("cleaning",),
                  certificates=("employee-skills", "cleaning-diploma"),
                  status=CandidateStatus.READY)
    return Candidate(**{**values, **overrides})


def vacancy(**overrides):
    values = dict(occupation="office-cleaner", sector="cleaning", municipality="0505",
                  postcode=None, hours_per_week=32, start_date=date(2027, 2, 1), positions=1,
                  required_certificates=("cleaning-diploma",),
                  skills=("teamwork", "cleaning-techniques"))
    return Vacancy.publish("e", TODAY, **{**values, **overrides})


EXCLUDED = [
    (candidate(certificates=("employee-skills",)), vacancy(),
     "lacks-required-certificate", "lacks required certificate cleaning-diploma"),
    (candidate(language_level="A1"), vacancy(min_language_level="A2"),
     "language-below-minimum", "Dutch at A1, the vacancy needs A2"),
    (candidate(banned_municipalities=("0505",)), vacancy(),
     "area-ban", "area ban covers Dordrecht (0505)"),
    (candidate(vog_risk_areas=("money",)), vacancy(vog_required=True, vog_risk_areas=("money", "goods")),
     "vog-risk-area", "no VOG possible for risk area money"),
    (candidate(restrictions=("no-work-with-minors",)), vacancy(works_with_minors=True),
     "no-work-with-minors", "may not work with minors"),
    (candidate(restrictions=("no-work-with-vulnerable-people",)),
     vacancy(works_with_vulnerable_people=True),
     "no-work-with-vulnerable-people", "may not work with vulnerable people"),
    (candidate(restrictions=("driving-ban",)), vacancy(occupation="van-driver", sector="transport"),
     "driving-ban", "has a driving ban"),
    (candidate(restrictions=("no-night-work",)), vacancy(),
     "unknown-restriction", "restriction no-night-work is not known here"),
    (candidate(curfew_starts_at="22:00", curfew_ends_at="06:00"),
     vacancy(shift_starts_at="05:00", shift_ends_at="13:30"), "curfew", "curfew hours"),
    (candidate(expected_release_date=date(2027, 3, 1)), vacancy(),
     "not-available", "available from 2027-03-01"),
    (candidate(status=CandidateStatus.PLACED), vacancy(), "already-placed", "already placed"),
]


@pytest.mark.parametrize("who, job, code, why", EXCLUDED)
def test_each_hard_constraint_excludes_and_says_why_by_its_code(who, job, code, why):
    assessment = assess(who, job)
    assert not assessment.eligible and assessment.score == 0
    assert assessment.score_parts == () and assessment.shareable == ()
    [(named, explained)] = zip(assessment.exclusion_codes, assessment.exclusions)
    assert named == code and why in explained, assessment.exclusions


def test_every_hard_constraint_has_a_case_and_all_that_hold_are_named():
    assert {code for _, _, code, _ in EXCLUDED} == set(HARD_CONSTRAINTS)
    who = candidate(restrictions=("no-work-with-minors", "no-work-with-vulnerable-people"),
                    banned_municipalities=("0505",))
    assessment = assess(who, vacancy(works_with_minors=True, works_with_vulnerable_people=True))
    assert assessment.exclusion_codes == (
        "area-ban", "no-work-with-minors", "no-work-with-vulnerable-people")
    assert len(assessment.exclusions) == 3


def test_the_score_is_the_sum_of_its_parts():
    assessment = assess(candidate(), vacancy(desired_certificates=("bhv",)))
    assert assessment.eligible
    assert dict(assessment.score_parts) == {"desired_certificates": 0, "skills": 25,
                                            "occupation": 15, "sector": 15, "distance": 20,
                                            "timing": 10}
    assert assessment.score == sum(points for _, points in assessment.score_parts)


def test_the_weights_are_the_parts_of_the_score_and_add_up_to_100():
    """A candidate who meets everything scores every weight in full: the 100 points that
    match.proposed allows at most."""
    assessment = assess(candidate(), vacancy())
    assert dict(assessment.score_parts) == WEIGHTS
    assert assessment.score == sum(WEIGHTS.values()) == 100


@pytest.mark.parametrize("who, job", [
    (candidate(vog_risk_areas=("money",)), vacancy(vog_required=True, vog_risk_areas=("goods",))),
    (candidate(vog_risk_areas=("money",)), vacancy()),
    (candidate(restrictions=("no-work-with-minors",)), vacancy()),
    (candidate(curfew_starts_at="22:00", curfew_ends_at="06:00"),
     vacancy(shift_starts_at="07:00", shift_ends_at="15:30")),
    (candidate(restrictions=("driving-ban",)), vacancy()),
])
def test_a_restriction_excludes_only_the_work_it_is_about(who, job):
    assert assess(who, job).eligible


def test_unknown_codes_fail_safe():
    """Codes from a newer intake or training that this release does not know
    (docs/events.md#versioning): one that speaks for a candidate counts for nothing, one that
    restricts excludes from all the work it might be about."""
    jobs = [vacancy(), vacancy(vog_required=True), vacancy(vog_required=True,
                                                             vog_risk_areas=("goods",)),
            vacancy(occupation="van-driver", sector="transport", required_certificates=())]
    known = candidate()
    newer = candidate(occupations=("welder",), skills=("welding",), preferred_sectors=("energy",),
                      certificates=("cleaning-diploma", "welding-basic"))
    # Skills (25), occupation (15) and sector (15) the vacancy asks for: none of them met.
    assert assess(newer, jobs[0]).eligible
    assert assess(newer, jobs[0]).score == assess(known, jobs[0]).score - 55
    assert assess(candidate(certificates=("welding-basic",)), jobs[0]).exclusions == (
        "lacks required certificate cleaning-diploma",)
    restricted = candidate(restrictions=("no-night-work",))
    assert all(assess(known, job).eligible for job in jobs)
    assert [assess(restricted, job).exclusions for job in jobs] == [
        ("restriction no-night-work is not known here",)] * len(jobs)
    assert rank(restricted, jobs) == [] and assess(restricted, jobs[0]).closing_modules == ()
    unscreenable = candidate(vog_risk_areas=("public-transport",))
    assert [assess(unscreenable, job).eligible for job in jobs] == [True, False, False, True]
    assert assess(unscreenable, jobs[1]).exclusions == (
        "no VOG possible for risk area public-transport, unknown here",)


def test_work_outside_before_release_makes_a_candidate_available_earlier():
    who = candidate(expected_release_date=date(2027, 3, 1), may_work_outside_from=date(2027, 1, 10))
    assert who.available_from == date(2027, 1, 10)
    assert assess(who, vacancy()).eligible


def test_an_early_release_makes_a_candidate_available():
    late = candidate(expected_release_date=date(2027, 3, 1))
    late.release(date(2026, 12, 1))
    assert assess(late, vacancy()).eligible


def test_a_worked_example_of_the_ranking_and_its_explanation():
    # Candidate in Dordrecht, available 2027-01-15, cleaner, teamwork + cleaning techniques.
    near = vacancy()  # same municipality, starts 17 days after release
    zwijndrecht = vacancy(municipality="0642", desired_certificates=("bhv",))
    gorinchem = vacancy(municipality="0512", start_date=date(2027, 6, 1),
                        skills=("teamwork", "customer-contact"))
    logistics = vacancy(occupation="warehouse-worker", sector="logistics",
                        required_certificates=(), skills=())
    ranked = rank(candidate(), [logistics, gorinchem, zwijndrecht, near])
    # points: desired certificates 15, skills 25, occupation 15, sector 15, distance 20,
    # time between release and start 10 (nothing asked counts as met)
    # near:        15 + 25 + 15 + 15 + 20 (same town)              + 10 (17 days)  = 100
    # zwijndrecht:  0 (no bhv) + 25 + 15 + 15 + 16 (3.4 km)          + 10           =  81
    # gorinchem:   15 + 12 (1 of 2 skills) + 15 + 15 + 12 (19.7 km)  +  2 (137 days) =  71
    # logistics:   15 + 25 + 0 (other occupation) + 0 (other sector) + 20 + 10      =  70
    assert [(a.score, v) for a, v in ranked] == [
        (100, near), (81, zwijndrecht), (71, gorinchem), (70, logistics)]
    explained = ranked[1][0]
    assert explained.met == ("has the skills cleaning-techniques, teamwork",
                             "wants to work as office cleaner", "prefers the cleaning sector",
                             "lives about 3 km away", "starts work soon after release")
    assert explained.missed == ("holds none of the desired certificates",)
    assert explained.reasons[0] == "met: has the skills cleaning-techniques, teamwork"


def test_a_near_miss_says_which_training_closes_the_gap():
    who = candidate(certificates=("employee-skills",), language_level="A1")
    assessment = assess(who, vacancy(required_certificates=("cleaning-diploma", "bhv"),
                                     min_language_level="A2"))
    assert assessment.near_miss
    assert assessment.closing_modules == ("dutch-for-work", "bhv", "cleaning")
    assert "training would close the gap: cleaning" in assessment.reasons


def test_the_advice_names_the_modules_of_trainings_catalogue_and_none_for_what_none_awards():
    who = candidate(certificates=("employee-skills",), language_level="A1")
    job = vacancy(required_certificates=("bhv",), min_language_level="A2")
    heard = {"bhv": "first-aid", "dutch-for-work": "dutch-basics"}
    assert assess(who, job, heard).closing_modules == ("dutch-basics", "first-aid")
    assessment = assess(who, job, {"bhv": "first-aid"})
    assert not assessment.near_miss and not assessment.eligible


def test_no_training_closes_a_gap_made_by_a_restriction():
    who = candidate(certificates=(), banned_municipalities=("0505",))
    assert not assess(who, vacancy()).near_miss


def test_the_employer_reads_only_what_speaks_for_the_candidate():
    who = candidate(restrictions=("no-work-with-minors", "curfew"), curfew_starts_at="23:00",
                    curfew_ends_at="06:00", banned_municipalities=("0512",),
                    vog_risk_areas=("money",))
    assessment = assess(who, vacancy(min_language_level="A2"))
    shared = " ".join(assessment.shareable)
    assert "holds every required certificate" in shared and "Dutch at B1" in shared
    for secret in ("minors", "curfew", "0512", "money", "ban", "VOG"):
        assert secret not in shared


def test_a_match_needs_both_sides():
    proposal = Proposal.make(candidate(), vacancy(), assess(candidate(), vacancy()), NOW,
                             timedelta(days=14))
    assert proposal.expires_at == NOW + timedelta(days=14)
    assert proposal.candidate_alias == f"candidate-{proposal.id[:8]}"
    assert proposal.accept("employer", vacancy()) is False
    assert proposal.accept("candidate", vacancy()) is True
    assert proposal.status is ProposalStatus.ACCEPTED
    with pytest.raises(Conflict):
        proposal.decline("employer", "changed our mind")


def test_an_ineligible_candidate_is_never_proposed():
    who = candidate(status=CandidateStatus.PLACED)
    with pytest.raises(Conflict):
        Proposal.make(who, vacancy(), assess(who, vacancy()), NOW, timedelta(days=14))


def test_a_proposal_expires_once_and_only_for_a_known_reason():
    proposal = Proposal.make(candidate(), vacancy(), assess(candidate(), vacancy()), NOW,
                             timedelta(days=14))
    with pytest.raises(Invalid):
        proposal.expire("bored")
    proposal.expire("timed-out")
    assert proposal.status is ProposalStatus.EXPIRED
    with pytest.raises(Conflict):
        proposal.expire("timed-out")
    with pytest.raises(Conflict):
        proposal.accept("employer", vacancy())


def test_a_vacancy_fills_closes_and_refuses_changes_after():
    job = vacancy(positions=2)
    job.take_position()
    with pytest.raises(Conflict):
        job.change(TODAY, positions=0)
    job.change(TODAY, positions=1)
    assert job.status is VacancyStatus.FILLED
    with pytest.raises(Conflict):
        job.close("withdrawn-by-employer")
    other = vacancy()
    other.close("withdrawn-by-employer")
    with pytest.raises(Conflict):
        other.take_position()


@pytest.mark.parametrize("details, field", [
    ({"occupation": "astronaut"}, "occupation"),
    ({"vog_risk_areas": ("money",)}, "vog_risk_areas"),
    ({"shift_starts_at": "08:00"}, "shift_ends_at"),
])
def test_a_vacancy_refuses_inconsistent_details(details, field):
    with pytest.raises(Invalid) as refused:
        vacancy(**details)
    assert refused.value.field == field


def test_a_candidate_is_matchable_when_trained_or_when_release_is_near():
    training = candidate(status=CandidateStatus.IN_TRAINING, expected_release_date=date(2027, 1, 15))
    assert not training.matchable_on(date(2026, 11, 1), 42)
    assert training.matchable_on(date(2026, 12, 10), 42)
    assert candidate().matchable_on(date(2026, 11, 1), 42)
    placed = candidate(status=CandidateStatus.PLACED)
    assert not placed.matchable_on(date(2026, 11, 1), 42)
    placed.leave_job()
    assert placed.matchable_on(date(2026, 11, 1), 42)


def test_a_start_date_in_the_past_is_refused_when_published_or_moved():
    with pytest.raises(Invalid) as refused:
        vacancy(start_date=TODAY - timedelta(days=1))
    assert refused.value.field == "start_date"
    assert vacancy(start_date=TODAY).start_date == TODAY
    job = vacancy(start_date=TODAY)
    later = TODAY + timedelta(days=3)
    with pytest.raises(Invalid) as refused:
        job.change(later, start_date=TODAY + timedelta(days=2))
    assert refused.value.field == "start_date" and job.start_date == TODAY
    # A vacancy that has started keeps its start date and still changes otherwise.
    job.change(later, start_date=TODAY, positions=3)
    assert job.positions == 3
    job.change(later, start_date=later)
    assert job.start_date == later


def test_a_vacancy_without_a_title_is_called_after_its_occupation():
    assert vacancy().title == "Office cleaner"
    assert vacancy(title="Schoonmaker kantoren Dordrecht").title == "Schoonmaker kantoren Dordrecht"


def test_a_certificate_earned_again_stays_when_the_first_award_is_taken_back():
    c = candidate(certificates=())
    c.award_certificate("first", "forklift")
    c.award_certificate("again", "forklift")
    assert not c.holds_award("later", "forklift")  # an award not applied here yet
    c.revoke_award("first", "forklift")
    assert c.certificates == ("forklift",)
    c.revoke_award("again", "forklift")
    assert c.certificates == ()


def test_an_award_from_before_awards_were_kept_by_id_is_taken_back_by_its_certificate():
    c = candidate()  # holds cleaning-diploma under no award id
    assert c.holds_award("unknown", "cleaning-diploma")
    c.revoke_award("unknown", "cleaning-diploma")
    assert c.certificates == ("employee-skills",)
