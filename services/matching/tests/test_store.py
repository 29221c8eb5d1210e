"""Matching's own migrations on SQLite and PostgreSQL, beyond what every service's are checked
for (shared/tests/test_migrations.py), the bit sets they hold, training's catalogue as
matching keeps it, and the facts its use cases record."""
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import MetaData, create_engine, insert, select

from services.matching import handlers
from services.matching.domain import Candidate, CandidateStatus
from services.matching.store import (BIT_SET_SIZE, MatchingSettings, MatchingUnitOfWork,
                                     TrainingModules, bit_positions)
from shared import migrations
from shared.contracts.vocabulary import MODULE_FOR_CERTIFICATE
from shared.store import make_engine, session_factory
from tests.databases import KINDS, fresh_database

VACANCY = {"employer_id": "e", "sector": "cleaning", "municipality": "0505",
           "hours_per_week": 32, "start_date": date(2026, 12, 1), "positions": 1,
           "required_certificates": [], "desired_certificates": [], "skills": [],
           "vog_required": False, "vog_risk_areas": [], "works_with_minors": False,
           "works_with_vulnerable_people": False, "accepted": 0, "status": "OPEN",
           "start_day": 1, "required_certificate_bits": 0, "desired_certificate_bits": 0,
           "desired_certificate_count": 0, "skill_bits": 0, "skill_count": 0,
           "vog_bits": 0, "min_language_rank": 0, "vocabulary_version": "v"}


def reflected(engine, table):
    metadata = MetaData()
    metadata.reflect(engine, only=[table])
    return metadata.tables[table]


@pytest.mark.parametrize("kind", KINDS)
def test_a_vacancy_published_before_titles_is_called_after_its_occupation(kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("matching", url, "matching_0002")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(insert(reflected(engine, "vacancies")), [
                {**VACANCY, "id": "known", "occupation": "forklift-driver"},
                {**VACANCY, "id": "newer", "occupation": "welder"}])
        migrations.upgrade("matching", url)
        vacancies = reflected(engine, "vacancies")
        with engine.connect() as connection:
            titles = dict(connection.execute(select(vacancies.c.id, vacancies.c.title)).all())
            descriptions = set(connection.execute(select(vacancies.c.description)).scalars())
        engine.dispose()
        assert titles == {"known": "Forklift driver", "newer": "welder"}
        assert descriptions == {None}


def test_a_kind_with_more_codes_than_a_bit_set_holds_is_refused():
    codes = [f"skill-{number:02d}" for number in range(BIT_SET_SIZE)]
    # 62 codes take bits 0 to 61, and codes this release does not know bit 62.
    assert max(bit_positions("skills", codes[:-1]).values()) == 1 << 61
    with pytest.raises(ValueError, match="63 skills and the bit for unknown ones need 64 bits; "
                                         "a bit set has 63"):
        bit_positions("skills", codes)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bit_set_keeps_its_highest_bit_after_the_migrations(kind, tmp_path):
    highest = 1 << (BIT_SET_SIZE - 1)
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("matching", url)
        engine = create_engine(url)
        vacancies = reflected(engine, "vacancies")
        with engine.begin() as connection:
            connection.execute(insert(vacancies), [
                {**VACANCY, "id": "highest", "occupation": "cook", "title": "Cook",
                 "required_certificate_bits": highest | 1},
                {**VACANCY, "id": "lowest", "occupation": "cook", "title": "Cook",
                 "required_certificate_bits": 1}])
        with engine.connect() as connection:
            found = connection.execute(
                select(vacancies.c.id, vacancies.c.required_certificate_bits)
                .where(vacancies.c.required_certificate_bits.op("&")(highest) != 0)).all()
        engine.dispose()
        assert found == [("highest", highest | 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_modules_older_revision_changes_nothing(kind, tmp_path):
    """Training's module facts are unordered: the highest revision heard of stays. A
    certificate leads to the shortest module that awards it."""
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("matching", url)
        engine = make_engine(url)
        sessions = session_factory(engine)

        def heard(*facts):
            with sessions() as session:
                for fact in facts:
                    TrainingModules(session).heard(*fact)
                session.commit()
                return TrainingModules(session).leading_to()

        assert heard() == MODULE_FOR_CERTIFICATE  # nothing heard of yet
        changed = {**MODULE_FOR_CERTIFICATE, "vca-basic": "bhv", "bhv": "first-aid"}
        assert heard(("bhv", "vca-basic", 1, 2), ("first-aid", "bhv", 2, 1)) == changed
        assert heard(("bhv", "bhv", 1, 1)) == changed
        assert heard(("bhv", "bhv", 1, 3)) == MODULE_FOR_CERTIFICATE
        engine.dispose()


def test_modules_not_heard_of_stay_as_the_catalogue_training_starts_with(tmp_path):
    """Training's facts of its first start may have gone out before matching's queue was
    there: the one module heard of since changes its own entry, not the others'."""
    with fresh_database("sqlite", tmp_path) as url:
        migrations.upgrade("matching", url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            TrainingModules(session).heard("forklift", "code-95", 6, 2)
            leading = TrainingModules(session).leading_to()
        engine.dispose()
    # The forklift module awards code-95 now, and no module is known to award forklift.
    assert leading == {**{certificate: module for certificate, module in
                          MODULE_FOR_CERTIFICATE.items() if module != "forklift"},
                       "code-95": "forklift"}


def test_a_change_that_excludes_every_candidate_proposed_publishes_each_expiry(tmp_path):
    """Facts in the order they happened, every one of them, though the proposals they are
    about are flushed and let go before the change commits."""
    today = date.today()
    with fresh_database("sqlite", tmp_path) as url:
        migrations.upgrade("matching", url)
        engine = make_engine(url)
        uow = MatchingUnitOfWork(session_factory(engine), settings=MatchingSettings())
        with uow:
            for _ in range(3):
                uow.candidates.add(Candidate(str(uuid.uuid4()), "0363", today, "B1",
                                             occupations=("cook",),
                                             status=CandidateStatus.READY))
            uow.commit()
        employer = handlers.register_employer(
            uow, name="De Kombuis", sector="hospitality", municipality="0363",
            contact_name="Kees", contact_email="kees@example.org", social_return=False)
        job = handlers.publish_vacancy(
            uow, employer.id, occupation="cook", sector="hospitality", municipality="0363",
            postcode=None, hours_per_week=32, start_date=today + timedelta(days=10),
            positions=3)
        handlers.change_vacancy(uow, job.id, min_language_level="C2")
        with uow:
            facts = [(row.envelope["type"], row.envelope.get("subject")) for row in
                     uow.session.execute(select(uow.outbox).order_by(uow.outbox.c.seq))]
        engine.dispose()
    proposed = [subject for kind, subject in facts if kind == "match.proposed"]
    assert len(proposed) == 3
    assert facts[:6] == [("employer.registered", None), ("vacancy.published", job.id),
                         *(("match.proposed", p) for p in proposed), ("vacancy.changed", job.id)]
    assert sorted(facts[6:]) == sorted(("match.expired", p) for p in proposed)
