"""Matching's own migrations on SQLite and PostgreSQL, beyond what every service's are checked
for (shared/tests/test_migrations.py)."""
from datetime import date

import pytest
from sqlalchemy import MetaData, create_engine, insert, select

from shared import migrations
from tests.databases import KINDS, fresh_database


@pytest.mark.parametrize("kind", KINDS)
def test_a_vacancy_published_before_titles_is_called_after_its_occupation(kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("matching", url, "matching_0002")
        engine = create_engine(url)
        metadata = MetaData()
        metadata.reflect(engine, only=["vacancies"])
        vacancies = metadata.tables["vacancies"]
        row = {"employer_id": "e", "sector": "cleaning", "municipality": "0505",
               "hours_per_week": 32, "start_date": date(2026, 12, 1), "positions": 1,
               "required_certificates": [], "desired_certificates": [], "skills": [],
               "vog_required": False, "vog_risk_areas": [], "works_with_minors": False,
               "works_with_vulnerable_people": False, "accepted": 0, "status": "OPEN",
               "start_day": 1, "required_certificate_bits": 0, "desired_certificate_bits": 0,
               "desired_certificate_count": 0, "skill_bits": 0, "skill_count": 0,
               "vog_bits": 0, "min_language_rank": 0, "vocabulary_version": "v"}
        with engine.begin() as connection:
            connection.execute(insert(vacancies), [
                {**row, "id": "known", "occupation": "forklift-driver"},
                {**row, "id": "newer", "occupation": "welder"}])
        migrations.upgrade("matching", url)
        metadata = MetaData()
        metadata.reflect(engine, only=["vacancies"])
        vacancies = metadata.tables["vacancies"]
        with engine.connect() as connection:
            titles = dict(connection.execute(select(vacancies.c.id, vacancies.c.title)).all())
            descriptions = set(connection.execute(select(vacancies.c.description)).scalars())
        engine.dispose()
        assert titles == {"known": "Forklift driver", "newer": "welder"}
        assert descriptions == {None}
