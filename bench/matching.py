"""How fast matching ranks, in its real storage.

Fills a fresh matching database with synthetic candidate profiles and vacancies, then times
  - one vacancy over every candidate: the best 10 that `assess` confirms (what proposing does),
    and the caseworker's ranking view (best 10 eligible and 10 nearest misses);
  - one candidate over every open vacancy (what a candidate who becomes ready triggers);
and prints p50/p95 latency and memory.

    python bench/matching.py                      # SQLite in a temporary directory
    python bench/matching.py --candidates 100000 --vacancies 10000 --runs 50
    python bench/matching.py --database-url postgresql://postgres@127.0.0.1:5432/bench
"""
import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from services.matching import handlers  # noqa: E402
from services.matching.domain import Candidate, CandidateStatus, Vacancy  # noqa: E402
from services.matching.store import (MatchingSettings, MatchingUnitOfWork,  # noqa: E402
                                     candidates, index_candidate, index_vacancy, metadata,
                                     vacancies)
from shared.contracts import vocabulary  # noqa: E402
from shared.http import Caller  # noqa: E402
from shared.store import make_engine, session_factory  # noqa: E402

TODAY = date.today()
# The caseworker whose reads the views log, as in production.
DESK = Caller("bench", "employer-desk", "social-service")
PLACES = sorted(vocabulary.MUNICIPALITY_LOCATIONS)


def some(rng, codes, most):
    return tuple(rng.sample(sorted(codes), rng.randint(0, most)))


def synthetic_candidate(rng):
    restrictions = some(rng, {"no-work-with-minors", "no-work-with-vulnerable-people",
                              "driving-ban"}, 1)
    banned = (rng.choice(PLACES),) if rng.random() < 0.1 else ()
    return Candidate(
        participant_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        municipality=rng.choice(PLACES),
        expected_release_date=TODAY + timedelta(days=rng.randint(-60, 180)),
        language_level=rng.choice(vocabulary.LANGUAGE_LEVELS[:4]),
        occupations=some(rng, vocabulary.OCCUPATIONS, 2), skills=some(rng, vocabulary.SKILLS, 4),
        preferred_sectors=some(rng, vocabulary.SECTORS, 2), hours_per_week=rng.choice([24, 32, 36]),
        restrictions=restrictions + (("area-ban",) if banned else ()),
        banned_municipalities=banned, vog_risk_areas=some(rng, vocabulary.VOG_RISK_AREAS, 1),
        certificates=("employee-skills",) + some(rng, vocabulary.CERTIFICATES - {"employee-skills"}, 2),
        status=rng.choices(list(CandidateStatus), weights=[3, 5, 1, 1])[0])


def synthetic_vacancy(rng, employer_id):
    vog = rng.random() < 0.3
    return Vacancy.publish(
        employer_id, TODAY, occupation=rng.choice(sorted(vocabulary.OCCUPATIONS)),
        sector=rng.choice(sorted(vocabulary.SECTORS)), municipality=rng.choice(PLACES),
        postcode=None, hours_per_week=32, start_date=TODAY + timedelta(days=rng.randint(0, 200)),
        positions=rng.randint(1, 5),
        required_certificates=("employee-skills",) + some(rng, vocabulary.CERTIFICATES, 1),
        desired_certificates=some(rng, vocabulary.CERTIFICATES, 1),
        skills=some(rng, vocabulary.SKILLS, 3), min_language_level=rng.choice([None, "A2", "B1"]),
        vog_required=vog, vog_risk_areas=some(rng, vocabulary.VOG_RISK_AREAS, 2) if vog else (),
        works_with_minors=rng.random() < 0.1, works_with_vulnerable_people=rng.random() < 0.1)


def rows(table, entities, index=None):
    for entity in entities:
        if index:
            index(entity)
        yield {column.name: getattr(entity, column.name) for column in table.columns}


def fill(engine, rng, n_candidates, n_vacancies):
    started = time.perf_counter()
    employer_id = str(uuid.uuid4())
    with engine.begin() as connection:
        for start in range(0, n_candidates, 5000):
            batch = [synthetic_candidate(rng) for _ in range(min(5000, n_candidates - start))]
            connection.execute(insert(candidates), list(rows(candidates, batch, index_candidate)))
        made = [synthetic_vacancy(rng, employer_id) for _ in range(n_vacancies)]
        connection.execute(insert(vacancies), list(rows(vacancies, made, index_vacancy)))
    return time.perf_counter() - started, made


def timed(runs, action):
    times = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)], times[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    args = parser.parse_args()
    rng = random.Random(20261123)

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'matching.db'}"
        engine = make_engine(url)
        metadata.drop_all(engine)
        metadata.create_all(engine)
        MatchingUnitOfWork.prepare(session_factory(engine))  # the audit log's head
        seconds, made = fill(engine, rng, args.candidates, args.vacancies)
        uow = MatchingUnitOfWork(session_factory(engine), settings=MatchingSettings())
        print(f"storage: {engine.dialect.name}; filled {args.candidates:,} candidates and "
              f"{args.vacancies:,} vacancies in {seconds:.1f} s")

        probes = rng.sample(made, args.runs)
        with uow:
            people = [uow.candidates.get(pid) for pid in uow.candidates.best_for(
                probes[0], TODAY, 10_000, args.runs)] or uow.candidates.list(limit=args.runs)

        def propose_path(i):
            with uow:
                found = handlers.best_candidates(uow, probes[i], TODAY, 10)
            assert all(assessment.eligible for _, assessment in found)

        def ranking_view(i):
            handlers.ranking_for_vacancy(uow, probes[i].id, DESK, limit=10, today=TODAY)

        def vacancies_for(i):
            handlers.vacancies_for_candidate(uow, people[i % len(people)].participant_id, DESK)

        report = [
            (f"1 vacancy over {args.candidates:,} candidates: best 10 confirmed", propose_path),
            (f"1 vacancy over {args.candidates:,} candidates: ranking view (10 + 10 near misses)",
             ranking_view),
            (f"1 candidate over {args.vacancies:,} open vacancies", vacancies_for),
        ]
        print(f"{'what':<72}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for what, action in report:
            p50, p95, worst = timed(args.runs, action)
            print(f"{what:<72}{p50:>9.1f}{p95:>9.1f}{worst:>9.1f}")
        # Measured apart: tracing allocations slows Python down.
        tracemalloc.start()
        for _, action in report:
            action(0)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"memory: peak Python allocations of one run of each {peak / 2**20:.1f} MiB; "
              f"peak RSS of the process {rss:.0f} MiB (filling included)")
        engine.dispose()


if __name__ == "__main__":
    main()
