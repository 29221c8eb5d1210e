"""The ranking queries in matching's real storage (SQLite and PostgreSQL) against the domain's
rules, for many generated candidates and vacancies: the queries never lose an eligible candidate
or vacancy, order them as `assess` scores them, and no proposal ever breaks a hard constraint;
with the codes at the bits this release gives them and in the highest bits of a bit set, and
with the score's weights changed."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from services.matching import handlers
from services.matching.domain import (WEIGHTS, Candidate, CandidateStatus, Employer, Vacancy,
                                      assess, rank)
from services.matching.store import (BIT_SET_SIZE, BITS, MatchingSettings, MatchingUnitOfWork,
                                     bit_positions, bits, metadata, unknown_bit)
from shared.contracts import vocabulary
from shared.store import make_engine, session_factory
from tests.databases import KINDS, fresh_database

TODAY = date(2026, 11, 23)
# The day the generated vacancies were published: none of them starts before it.
PUBLISHED_ON = TODAY - timedelta(days=30)
NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
WINDOW = 42
EMPLOYER = "00000000-0000-4000-8000-00000000e000"
PLACES = ("0505", "0642", "0512", "0599", "0344", "1900")  # 1900: no known location


def some(codes, max_size=3):
    return st.lists(st.sampled_from(sorted(codes)), max_size=max_size, unique=True).map(tuple)


def newer(codes, code):
    """`codes` and one that a newer intake or training may send (docs/events.md#versioning)."""
    return set(codes) | {code}


times = st.sampled_from(["06:00", "08:00", "14:00", "22:00", "23:30"])
days = st.integers(-30, 200).map(lambda n: TODAY + timedelta(days=n))


@st.composite
def candidates(draw, number):
    curfew = draw(st.none() | st.tuples(times, times).filter(lambda t: t[0] != t[1]))
    return Candidate(
        participant_id=f"00000000-0000-4000-8000-{number:012d}",
        municipality=draw(st.sampled_from(PLACES)), expected_release_date=draw(days),
        language_level=draw(st.sampled_from(vocabulary.LANGUAGE_LEVELS)),
        occupations=draw(some(newer(vocabulary.OCCUPATIONS, "welder"), 2)),
        skills=draw(some(newer(vocabulary.SKILLS, "welding"))),
        preferred_sectors=draw(some(newer(vocabulary.SECTORS, "energy"), 2)),
        restrictions=draw(some({"no-work-with-minors", "no-work-with-vulnerable-people",
                                "driving-ban", "no-night-work"}, 2)),
        banned_municipalities=draw(some(PLACES, 1)),
        vog_risk_areas=draw(some(newer(vocabulary.VOG_RISK_AREAS, "public-transport"), 2)),
        curfew_starts_at=curfew and curfew[0], curfew_ends_at=curfew and curfew[1],
        may_work_outside_from=draw(st.none() | days),
        certificates=draw(some(newer(vocabulary.CERTIFICATES, "welding-basic"), 4)),
        status=draw(st.sampled_from(list(CandidateStatus))))


@st.composite
def vacancies(draw):
    vog = draw(st.booleans())
    shift = draw(st.none() | st.tuples(times, times).filter(lambda t: t[0] != t[1]))
    return dict(
        occupation=draw(st.sampled_from(sorted(vocabulary.OCCUPATIONS))),
        sector=draw(st.sampled_from(sorted(vocabulary.SECTORS))),
        municipality=draw(st.sampled_from(PLACES)), postcode=None, hours_per_week=32,
        start_date=draw(days), positions=draw(st.integers(1, 4)),
        required_certificates=draw(some(vocabulary.CERTIFICATES, 2)),
        desired_certificates=draw(some(vocabulary.CERTIFICATES, 2)),
        skills=draw(some(vocabulary.SKILLS)),
        min_language_level=draw(st.none() | st.sampled_from(vocabulary.LANGUAGE_LEVELS)),
        vog_required=vog, vog_risk_areas=draw(some(vocabulary.VOG_RISK_AREAS, 2)) if vog else (),
        works_with_minors=draw(st.booleans()), works_with_vulnerable_people=draw(st.booleans()),
        shift_starts_at=shift and shift[0], shift_ends_at=shift and shift[1])


cohorts = st.integers(1, 14).flatmap(
    lambda n: st.tuples(*[candidates(i) for i in range(n)]))


@pytest.fixture(scope="module", params=KINDS)
def sessions(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("matching")) as url:
        engine = make_engine(url)
        metadata.create_all(engine)
        yield session_factory(engine)
        engine.dispose()


@pytest.fixture(autouse=True, params=["as released", "in the highest bits"])
def codes_at(request, monkeypatch):
    """Every test with each kind's codes at the bits this release gives them, and once more with
    them in the highest bits a bit set has: a code this release does not know is then bit 62."""
    if request.param == "in the highest bits":
        for kind, positions in list(BITS.items()):
            # Unused codes before every real one ("0" sorts before letters) push those up.
            unused = {f"0-unused-{number:02d}"
                      for number in range(BIT_SET_SIZE - 1 - len(positions))}
            monkeypatch.setitem(BITS, kind, bit_positions(kind, set(positions) | unused))
            assert max(BITS[kind][code] for code in positions) == 1 << 61
            assert unknown_bit(kind) == 1 << 62


def fresh_uow(sessions):
    with sessions() as session:
        for table in reversed(metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    return MatchingUnitOfWork(sessions, settings=MatchingSettings(14, WINDOW))


def store(uow, people):
    with uow:
        for person in people:
            uow.candidates.add(person)
        uow.commit()


def expected_ranking(people, vacancy):
    eligible = [(assess(p, vacancy), p) for p in people if p.matchable_on(TODAY, WINDOW)]
    return [p.participant_id for a, p in sorted(
        ((a, p) for a, p in eligible if a.eligible), key=lambda pair: (-pair[0].score,
                                                                        pair[1].participant_id))]


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def check_candidates_ranked(sessions, people, details):
    uow = fresh_uow(sessions)
    store(uow, people)
    vacancy = Vacancy.publish(EMPLOYER, PUBLISHED_ON, **details)
    with uow:
        found = uow.candidates.best_for(vacancy, TODAY, WINDOW, limit=len(people) + 1)
        by_id = {c.participant_id: c for c in uow.candidates.where()}
    # The query may return a few the domain then excludes (area bans, curfews), never fewer.
    confirmed = [pid for pid in found if assess(by_id[pid], vacancy).eligible]
    assert confirmed == expected_ranking(people, vacancy)


def check_vacancies_ranked(sessions, person, jobs):
    uow = fresh_uow(sessions)
    made = [Vacancy.publish(EMPLOYER, PUBLISHED_ON, **details) for details in jobs]
    with uow:
        for job in made:
            uow.vacancies.add(job)
        uow.commit()
    with uow:
        found = uow.vacancies.best_for(person, limit=len(made) + 1)
    by_id = {job.id: job for job in made}
    confirmed = [vacancy_id for vacancy_id in found if assess(person, by_id[vacancy_id]).eligible]
    assert confirmed == [job.id for _, job in rank(person, made)]


@SETTINGS
@given(people=cohorts, details=vacancies())
def test_the_query_keeps_every_eligible_candidate_in_the_domains_order(sessions, people,
                                                                       details):
    check_candidates_ranked(sessions, people, details)


@SETTINGS
@given(people=cohorts, details=vacancies())
def test_no_proposal_ever_breaks_a_hard_constraint(sessions, people, details):
    uow = fresh_uow(sessions)
    store(uow, people)
    with uow:
        uow.employers.add(Employer(EMPLOYER, "BV", "cleaning",
                                   "0505", "Contact", "c@example.org", False))
        uow.commit()
    vacancy = handlers.publish_vacancy(uow, EMPLOYER, now=NOW, today=PUBLISHED_ON,
                                       **details)
    with uow:
        proposed = uow.proposals.involving(vacancy_id=vacancy.id)
        by_id = {c.participant_id: c for c in uow.candidates.where()}
    expected = expected_ranking(people, vacancy)
    assert {p.participant_id for p in proposed} == set(expected[:vacancy.positions])
    for proposal in proposed:
        person = by_id[proposal.participant_id]
        assert assess(person, vacancy).eligible and person.matchable_on(TODAY, WINDOW)


@SETTINGS
@given(person=candidates(0), jobs=st.lists(vacancies(), min_size=1, max_size=12))
def test_the_vacancy_query_keeps_every_eligible_vacancy_in_the_domains_order(sessions, person,
                                                                             jobs):
    check_vacancies_ranked(sessions, person, jobs)


def scored_only(person):
    """The candidate with nothing that may exclude but dates, so that the score ranks many."""
    return replace(person, restrictions=(), banned_municipalities=(), vog_risk_areas=(),
                   curfew_starts_at=None, curfew_ends_at=None, status=CandidateStatus.READY)


def asking_nothing_that_excludes(details):
    return {**details, "required_certificates": (), "min_language_level": None,
            "vog_required": False, "vog_risk_areas": (), "works_with_minors": False,
            "works_with_vulnerable_people": False, "shift_starts_at": None, "shift_ends_at": None}


@SETTINGS
@given(weights=st.fixed_dictionaries({part: st.integers(0, 40) for part in WEIGHTS}),
       people=st.integers(2, 14).flatmap(
           lambda n: st.tuples(*[candidates(i).map(scored_only) for i in range(n)])),
       details=vacancies().map(asking_nothing_that_excludes),
       person=candidates(0).map(scored_only),
       jobs=st.lists(vacancies().map(asking_nothing_that_excludes), min_size=2, max_size=12))
def test_a_changed_weight_changes_the_queries_with_assess(sessions, monkeypatch, weights,
                                                          people, details, person, jobs):
    """Both queries take the score's weights from the domain: with any other weights they
    still rank as `assess` scores."""
    for part, weight in weights.items():
        monkeypatch.setitem(WEIGHTS, part, weight)
    check_candidates_ranked(sessions, people, details)
    check_vacancies_ranked(sessions, person, jobs)


@SETTINGS
@given(people=cohorts, details=vacancies(), wanted=st.integers(1, 5))
def test_the_excluded_listed_are_the_first_matchable_candidates_assess_excludes(
        sessions, people, details, wanted):
    """With the ranking's eligible and near misses, they are every candidate matched today."""
    uow = fresh_uow(sessions)
    store(uow, people)
    vacancy = Vacancy.publish(EMPLOYER, PUBLISHED_ON, **details)
    with uow:
        found = handlers.excluded_candidates(uow, vacancy, TODAY, wanted)
        listed = [(candidate.participant_id, assessment) for candidate, assessment in found]
    expected = [p for p in sorted(people, key=lambda p: p.participant_id)
                if p.matchable_on(TODAY, WINDOW)
                and not (assess(p, vacancy).eligible or assess(p, vacancy).near_miss)]
    assert listed == [(p.participant_id, assess(p, vacancy)) for p in expected[:wanted]]


def test_the_highest_bits_are_read_back_as_stored_and_ranked_on(sessions):
    """Each query ranks first the one that has, or is asked for, the highest skill: losing its
    bit would put the other first."""
    uow = fresh_uow(sessions)
    certificates = newer(vocabulary.CERTIFICATES, "welding-basic")
    lowest, *_, highest = sorted(vocabulary.SKILLS)
    person = Candidate(participant_id="00000000-0000-4000-8000-000000000002",
                       municipality="0505", expected_release_date=TODAY, language_level="B1",
                       certificates=tuple(sorted(certificates)), skills=(highest, "welding"),
                       status=CandidateStatus.READY)
    other = Candidate(participant_id="00000000-0000-4000-8000-000000000001",
                      municipality="0505", expected_release_date=TODAY, language_level="B1",
                      certificates=tuple(sorted(vocabulary.CERTIFICATES)),
                      status=CandidateStatus.READY)
    store(uow, [person, other])
    job = {"occupation": "cook", "sector": "hospitality", "municipality": "0505",
           "postcode": None, "hours_per_week": 32, "positions": 1,
           "required_certificates": tuple(sorted(vocabulary.CERTIFICATES))}
    asks_highest = Vacancy.publish(EMPLOYER, PUBLISHED_ON, **job, skills=(highest,),
                                   start_date=TODAY + timedelta(days=10))
    # Starts sooner: first of the two if the highest skill were lost.
    asks_both = Vacancy.publish(EMPLOYER, PUBLISHED_ON, **job, skills=(lowest, highest),
                                start_date=TODAY + timedelta(days=5))
    with uow:
        uow.vacancies.add(asks_highest)
        uow.vacancies.add(asks_both)
        uow.commit()
    c = metadata.tables["candidates"].c
    with uow:
        stored = uow.session.scalar(select(c.certificate_bits)
                                    .where(c.participant_id == person.participant_id))
        found = uow.candidates.best_for(asks_highest, TODAY, WINDOW, limit=3)
        offered = uow.vacancies.best_for(person, limit=3)
    assert stored == bits("certificates", certificates) == \
        sum(BITS["certificates"][code] for code in vocabulary.CERTIFICATES) \
        | unknown_bit("certificates")
    assert found == expected_ranking([person, other], asks_highest) == \
        [person.participant_id, other.participant_id]
    assert offered == [vacancy.id for _, vacancy in rank(person, [asks_highest, asks_both])] == \
        [asks_highest.id, asks_both.id]
