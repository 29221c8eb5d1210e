from datetime import date

import pytest

from services.matching.domain import (Candidate, CandidateStatus, Proposal, ProposalStatus,
                                      Vacancy, assess, rank)
from shared.errors import Conflict


def candidate(**overrides):
    values = dict(participant_id="p", municipality="Dordrecht",
                  expected_release_date=date(2027, 1, 1), language_level="B1",
                  preferred_sectors=("cleaning",), certificates=("employee-skills", "cleaning-diploma"),
                  status=CandidateStatus.READY)
    return Candidate(**{**values, **overrides})


def vacancy(**overrides):
    values = dict(employer_id="e", occupation="cleaner", sector="cleaning",
                  required_certificates=("cleaning-diploma",), municipality="Dordrecht",
                  hours_per_week=32, start_date=date(2027, 2, 1), positions=1)
    return Vacancy.publish(**{**values, **overrides})


@pytest.mark.parametrize("who, job, why", [
    (candidate(certificates=("employee-skills",)), vacancy(), "lacks required certificate"),
    (candidate(banned_municipalities=("Dordrecht",)), vacancy(), "municipality"),
    (candidate(expected_release_date=date(2027, 3, 1)), vacancy(), "not available"),
    (candidate(status=CandidateStatus.PLACED), vacancy(), "placed"),
    (candidate(status=CandidateStatus.IN_TRAINING), vacancy(), "in-training"),
])
def test_hard_constraints_exclude(who, job, why):
    assessment = assess(who, job)
    assert not assessment.eligible
    assert any(why in reason for reason in assessment.missed)


def test_an_early_release_makes_a_candidate_available():
    late = candidate(expected_release_date=date(2027, 3, 1))
    late.release(date(2026, 12, 1))
    assert assess(late, vacancy()).eligible


def test_ranking_prefers_sector_and_municipality_and_explains_itself():
    near = vacancy()
    far = vacancy(municipality="Gorinchem")
    other_sector = vacancy(sector="logistics", required_certificates=())
    ranked = rank(candidate(), [other_sector, far, near])
    assert [v for _, v in ranked] == [near, far, other_sector]
    assert [a.score for a, _ in ranked] == [100, 80, 70]
    assert ranked[1][0].reasons == [
        "met: holds every required certificate", "met: available by the start date",
        "met: prefers the cleaning sector", "missed: returns to another municipality"]


def test_a_match_needs_both_sides():
    proposal = Proposal.make(candidate(), vacancy(), assess(candidate(), vacancy()))
    assert proposal.accept("employer") is False
    assert proposal.accept("candidate") is True
    assert proposal.status is ProposalStatus.ACCEPTED
    with pytest.raises(Conflict):
        proposal.decline("candidate", "changed mind")


def test_a_filled_vacancy_takes_no_more():
    job = vacancy(positions=1)
    job.take_position()
    with pytest.raises(Conflict):
        job.take_position()
