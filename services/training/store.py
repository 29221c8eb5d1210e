"""Training's own database: the catalogue, cohorts, the waiting lists, programmes, and the
demand for certificates learned from vacancies."""
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Enum, Integer,
                        MetaData, String, Table, UniqueConstraint, delete, false, func,
                        insert, select, text, update)
from sqlalchemy.orm import registry

from services.training.domain import (Certificate, Cohort, Module,
                                      ModuleResult, Programme, ResultCorrection, Session,
                                      Status, Step,
                                      default_catalogue)
from shared.retention import ENDED_PROGRAMMES
from shared.store import Repository, UnitOfWork, ValueObjects, audit_tables, reliability_tables
from shared.web.store import web_tables

metadata = MetaData()

modules = Table(
    "modules", metadata,
    Column("code", String(60), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("weeks", Integer, nullable=False),
    Column("places", Integer, nullable=False),
    Column("certificate", String(60), nullable=False),
    Column("issuer", String(120), nullable=False),
    Column("valid_years", Integer),
    Column("sectors", JSON, nullable=False),
    Column("required_modules", JSON, nullable=False),
    Column("min_language_level", String(2)),
    Column("revision", Integer, nullable=False, server_default="0"),
)

cohorts = Table(
    "cohorts", metadata,
    Column("id", String(36), primary_key=True),
    Column("module", String(60), nullable=False, index=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("places", Integer, nullable=False),
    Column("trainer", String(120), nullable=False),
    Column("members", JSON, nullable=False),
    Column("sessions", ValueObjects(Session, many=True), nullable=False),
    # Places are taken by concurrent workers: a stale write fails and is retried.
    Column("version", Integer, nullable=False),
)

waiting_list = Table(
    "waiting_list", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("module", String(60), nullable=False, index=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("since", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("module", "participant_id", name="uq_waiting_module_participant"),
)

programmes = Table(
    "programmes", metadata,
    Column("id", String(36), primary_key=True),
    Column("participant_id", String(36), nullable=False, unique=True),
    Column("language_level", String(2), nullable=False),
    Column("release_date", Date, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("steps", ValueObjects(Step, many=True), nullable=False),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False),
    Column("results", ValueObjects(ModuleResult, many=True), nullable=False),
    Column("certificates", ValueObjects(Certificate, many=True), nullable=False),
    Column("corrections", ValueObjects(ResultCorrection, many=True), nullable=False,
           server_default=text("'[]'")),
    Column("drop_out_reason", String(40)),
    Column("ended_on", Date, index=True),
    Column("anonymised", Boolean, nullable=False, server_default=false()),
)

# The vacancies matching told of, as far as demand goes: their sector and certificates.
vacancy_demand = Table(
    "vacancy_demand", metadata,
    Column("vacancy_id", String(36), primary_key=True),
    Column("sector", String(40), nullable=False),
    Column("certificates", JSON, nullable=False),
    Column("open", Boolean, nullable=False),
)

certificate_numbers = Table(
    "certificate_numbers", metadata,
    Column("number", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reliability_tables(metadata)
# Who is signed in to the pages (shared/web/store.py).
web_tables(metadata)
# Who read which participant's data here (GET /events).
audit_tables(metadata)

mappers = registry(metadata=metadata)
mappers.map_imperatively(Module, modules)
mappers.map_imperatively(Cohort, cohorts, version_id_col=cohorts.c.version)
mappers.map_imperatively(Programme, programmes)


class ModuleRepository(Repository):
    entity = Module

    def catalogue(self):
        """Every module by code."""
        return {m.code: m for m in self.where(order_by=(Module.code,))}

    def lock(self, code):
        """Lock the module until commit: places in its cohorts and on its waiting list are
        handed out one transaction at a time, so no place is given twice and no two
        participants hear the same position (test_concurrent_admissions_*)."""
        self.session.execute(select(modules.c.code).where(modules.c.code == code)
                             .with_for_update())


class CohortRepository(Repository):
    entity = Cohort

    def for_module(self, module):
        return self.where(Cohort.module == module, order_by=(Cohort.starts_on, Cohort.id),
                          lock=True)

    def list(self, module=None, offset=0, limit=50):
        return self.page(*([Cohort.module == module] if module else []),
                         order_by=(Cohort.starts_on, Cohort.id), offset=offset, limit=limit)


class WaitingList:
    """Per module, who waits for a place, first come first served."""

    def __init__(self, session):
        self.session = session

    def add(self, module, participant_id):
        self.session.execute(insert(waiting_list).values(module=module,
                                                         participant_id=participant_id))

    def waiting_for(self, module):
        return list(self.session.scalars(select(waiting_list.c.participant_id)
                                         .where(waiting_list.c.module == module)
                                         .order_by(waiting_list.c.seq)))

    def position(self, module, participant_id):
        mine = (select(waiting_list.c.seq).where(waiting_list.c.module == module,
                                                 waiting_list.c.participant_id == participant_id)
                .scalar_subquery())
        return self.session.scalar(select(func.count()).select_from(waiting_list).where(
            waiting_list.c.module == module, waiting_list.c.seq <= mine))

    def remove(self, participant_id, module=None):
        query = delete(waiting_list).where(waiting_list.c.participant_id == participant_id)
        if module is not None:
            query = query.where(waiting_list.c.module == module)
        self.session.execute(query)


class ProgrammeRepository(Repository):
    """Programmes by participant: each participant has at most one."""
    entity = Programme

    def find(self, participant_id, lock=False):
        found = self.where(Programme.participant_id == participant_id, lock=lock)
        return found[0] if found else None

    def erase(self, programme):
        self.session.delete(programme)

    def ended_before(self, day):
        """Programmes that ended before `day` and still name their participant, locked."""
        return self.where(Programme.ended_on < day, Programme.anonymised.is_(False),
                          order_by=(Programme.ended_on, Programme.id), lock=True)


class Demand:
    """How many open vacancies ask for each certificate, per sector; until any vacancy is
    heard of, the configured certificates count once for every sector."""

    def __init__(self, session, fallback):
        self.session = session
        self.fallback = fallback

    def counts(self):
        rows = self.session.execute(select(vacancy_demand)).all()
        if not rows:
            return {(None, certificate): 1 for certificate in self.fallback}
        counted = {}
        for row in rows:
            for certificate in row.certificates if row.open else ():
                counted[(row.sector, certificate)] = counted.get((row.sector, certificate), 0) + 1
        return counted

    def vacancy(self, vacancy_id, sector=None, certificates=(), open=True):
        """Note what a vacancy asks for now; a filled or closed one asks for nothing."""
        values = {"open": open}
        if sector is not None:
            values.update(sector=sector, certificates=sorted(set(certificates)))
        changed = self.session.execute(update(vacancy_demand).where(
            vacancy_demand.c.vacancy_id == vacancy_id).values(**values)).rowcount
        if not changed and sector is not None:
            self.session.execute(insert(vacancy_demand).values(vacancy_id=vacancy_id, **values))


class TrainingUnitOfWork(UnitOfWork):
    service = "training"
    metadata = metadata

    demand_fallback = ()

    @classmethod
    def resources(cls, config):
        return {"demand_fallback": tuple(str(config.get("TRAINING_DEMAND") or "").split())}

    @classmethod
    def prepare(cls, sessions, **resources):
        """An empty catalogue gets the standard modules. The chain knows them as this release
        ships them (shared/contracts/vocabulary.py MODULE_FOR_CERTIFICATE) and hears of a
        module when a trainer adds or changes it: told at start, before its followers' queues
        exist on a new broker, the facts would be lost to them
        (test_the_catalogue_training_starts_with_is_not_told_at_start)."""
        super().prepare(sessions, **resources)
        with cls(sessions, **resources) as uow:
            if not uow.modules.catalogue():
                uow.session.add_all(default_catalogue().values())
            uow.commit()

    def _open(self, session):
        self.modules = ModuleRepository(session)
        self.cohorts = CohortRepository(session)
        self.waiting = WaitingList(session)
        self.programmes = ProgrammeRepository(session)
        self.demand = Demand(session, self.demand_fallback)

    def next_certificate_number(self, year):
        number = self.session.execute(insert(certificate_numbers)).inserted_primary_key[0]
        return f"DS-{year}-{number:06d}"

    def forget_own_past_retention(self, cutoffs):
        ended = self.programmes.ended_before(cutoffs[ENDED_PROGRAMMES].date())
        cohorts = self.cohorts.where() if ended else []
        for programme in ended:
            participant_id = programme.participant_id
            programme.anonymise()
            for cohort in cohorts:
                if cohort.knows(participant_id):
                    cohort.rename(participant_id, programme.participant_id)
        return {ENDED_PROGRAMMES: len(ended)}
