"""Placement's own database: placements with their check-ins, and what placement knows of
participants for its outcomes."""
import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from sqlalchemy import (JSON, Boolean, Column, Date, Enum, Integer, MetaData, String, Table,
                        false, text)
from sqlalchemy.orm import registry

from services.placement.domain import (DEFAULT_RULES, YOUTH_AGES, CheckIn, Correction,
                                       MinimumWage, ParticipantRecord, Placement,
                                       SocialReturnRules, Status, WageCostSubsidy)
from shared.retention import ENDED_PLACEMENTS
from shared.store import Repository, UnitOfWork, ValueObjects, audit_tables, reliability_tables
from shared.web.store import web_tables

metadata = MetaData()

placements = Table(
    "placements", metadata,
    Column("id", String(36), primary_key=True),
    Column("match_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("vacancy_id", String(36), nullable=False),
    Column("occupation", String(60), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("hours_per_week", Integer, nullable=False),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False, index=True),
    Column("contract_type", String(40)),
    Column("hourly_wage_cents", Integer),
    Column("age_on_start", Integer),
    Column("job_coach", String(120)),
    Column("subsidy", ValueObjects(WageCostSubsidy)),
    Column("no_risk_policy", Boolean, nullable=False),
    Column("started_on", Date, index=True),
    Column("ended_on", Date),
    Column("end_reason", String(40)),
    Column("milestones", JSON, nullable=False),
    Column("sustained", Boolean, nullable=False),
    Column("risk", String(20), nullable=False),
    Column("check_ins", ValueObjects(CheckIn, many=True), nullable=False),
    Column("corrections", ValueObjects(Correction, many=True), nullable=False,
           server_default=text("'[]'")),
    Column("anonymised", Boolean, nullable=False, server_default=false()),
)

participants = Table(
    "participants", metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("target_group", String(40), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("released_on", Date),
)

reliability_tables(metadata)
# Who is signed in to the pages (shared/web/store.py).
web_tables(metadata)
# Who read which participant's data here (GET /events).
audit_tables(metadata)

mappers = registry(metadata=metadata)
mappers.map_imperatively(Placement, placements)
mappers.map_imperatively(ParticipantRecord, participants)


class PlacementRepository(Repository):
    entity = Placement

    def for_match(self, match_id):
        found = self.where(Placement.match_id == match_id)
        return found[0] if found else None

    def list(self, participant_id=None, employer_id=None, status=None, started_after=None,
             started_before=None, offset=0, limit=50):
        conditions = [column == value for column, value in (
            (Placement.participant_id, participant_id), (Placement.employer_id, employer_id),
            (Placement.status, status)) if value is not None]
        if started_after is not None:
            conditions.append(Placement.started_on >= started_after)
        if started_before is not None:
            conditions.append(Placement.started_on <= started_before)
        return self.page(*conditions, order_by=(Placement.start_date, Placement.id),
                         offset=offset, limit=limit)

    def of_participant(self, participant_id):
        """Locked, as a coach may be changing one of them at this moment."""
        return self.where(Placement.participant_id == participant_id,
                          order_by=(Placement.start_date, Placement.id), lock=True)

    def in_work(self):
        """Started placements not yet past every milestone, locked: of two checks at once, the
        second sees what the first recorded (test_two_milestone_checks_at_once_record_each_once)."""
        return self.where(Placement.status == Status.STARTED, Placement.sustained.is_(False),
                          order_by=(Placement.started_on, Placement.id), lock=True)

    def ended_before(self, day):
        """Placements that ended before `day` and still name their participant, locked."""
        return self.where(Placement.ended_on < day, Placement.anonymised.is_(False),
                          order_by=(Placement.ended_on, Placement.id), lock=True)

    def started_before(self, day, employer_id=None):
        conditions = [Placement.started_on.is_not(None), Placement.started_on < day]
        if employer_id is not None:
            conditions.append(Placement.employer_id == employer_id)
        return self.where(*conditions, order_by=(Placement.started_on, Placement.id))


class ParticipantRepository(Repository):
    entity = ParticipantRecord

    def by_id(self, participant_ids):
        found = self.where(ParticipantRecord.participant_id.in_(sorted(set(participant_ids))))
        return {p.participant_id: p for p in found}

    def erase(self, record):
        self.session.delete(record)


MINIMUM_WAGE_FILE = Path(__file__).with_name("minimum_wage.yaml")


def statutory_minimum_wage(path=MINIMUM_WAGE_FILE):
    """The statutory minimum hourly wage by period, from the file the service ships with; a
    period without the youth amount of an age from 15 to 20 does not load."""
    return MinimumWage(tuple(
        (entry["from"], _cents(entry["hourly"]),
         {age: _cents(entry["youth"][age]) for age in YOUTH_AGES})
        for entry in sorted(yaml.safe_load(path.read_text()), key=lambda entry: entry["from"])))


def _cents(euros):
    """Cents of an amount written as "14.71" or 14.71 (read as a float: as written, not as
    stored)."""
    return int((Decimal(str(euros)) * 100).to_integral_value(ROUND_HALF_UP))


class PlacementUnitOfWork(UnitOfWork):
    service = "placement"
    metadata = metadata

    rules = DEFAULT_RULES
    minimum_wage = statutory_minimum_wage()

    @classmethod
    def resources(cls, config):
        """Social-return rules from SOCIAL_RETURN_RULES_FILE (JSON with `monthly_value` per
        contract type and `target_group_weight`), or the defaults."""
        path = config.get("SOCIAL_RETURN_RULES_FILE")
        if not path:
            return {}
        return {"rules": SocialReturnRules(**json.loads(Path(path).read_text()))}

    @classmethod
    def warnings(cls, today):
        """The shipped minimum wage missing the amounts in force by `today`: wages are checked
        against the newest it has until they are added
        (test_a_minimum_wage_missing_the_amounts_in_force_is_a_warning_not_a_fault)."""
        missing = cls.minimum_wage.missing_from(today)
        if missing is None:
            return []
        return [f"{MINIMUM_WAGE_FILE.name} has no statutory minimum wage from {missing} on (the "
                f"amounts change every 1 January and 1 July): wages are checked against those "
                f"from {cls.minimum_wage.newest_from} until the Rijksoverheid's amounts from "
                f"{missing} are added"]

    def _open(self, session):
        self.placements = PlacementRepository(session)
        self.participants = ParticipantRepository(session)

    def forget_own_past_retention(self, cutoffs):
        """Ended placements past their period are anonymised and still count: each keeps the
        codes the outcome reports group by (target group, municipality, release date) under
        its new id, and the participant's own record goes once no placement names them."""
        ended = self.placements.ended_before(cutoffs[ENDED_PLACEMENTS].date())
        for placement in ended:
            participant_id = placement.participant_id
            placement.anonymise()
            record = self.participants.find(participant_id)
            if record is None:
                continue
            self.participants.add(replace(record, participant_id=placement.participant_id))
            if not self.placements.of_participant(participant_id):
                self.participants.erase(record)
        return {ENDED_PLACEMENTS: len(ended)}
