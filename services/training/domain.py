"""Programmes, modules and certificates, and the rules for passing through them."""
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from shared.errors import Conflict, Invalid


@dataclass(frozen=True)
class Module:
    code: str
    weeks: int
    certificate: str
    valid_years: int | None = None


CATALOGUE = {m.code: m for m in (
    Module("employee-skills", 4, "employee-skills"),
    Module("vca-basic", 2, "vca-basic", valid_years=10),
    Module("bhv", 1, "bhv", valid_years=1),
    Module("forklift", 2, "forklift", valid_years=5),
    Module("code-95", 5, "code-95", valid_years=5),
    Module("cleaning", 6, "cleaning-diploma"),
    Module("hospitality", 4, "hospitality-basic"),
    Module("dutch-for-work", 8, "dutch-for-work"),
)}

# Every programme starts with employee skills; the vocational module follows the sector the
# participant prefers.
FIRST_MODULE = "employee-skills"
ROUTE_BY_SECTOR = {
    "cleaning": "cleaning",
    "logistics": "forklift",
    "construction": "vca-basic",
    "hospitality": "hospitality",
    "transport": "code-95",
    "facility": "bhv",
}


class Status(str, Enum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped-out"


@dataclass(frozen=True)
class ModuleResult:
    module: str
    passed: bool
    completed_on: date


@dataclass(frozen=True)
class Certificate:
    id: str
    certificate: str
    module: str
    issued_on: date
    expires_on: date | None


@dataclass
class Programme:
    id: str
    participant_id: str
    modules: tuple
    enrolled_on: date
    planned_end: date
    status: Status = Status.ENROLLED
    results: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    drop_out_reason: str | None = None

    @classmethod
    def enrol(cls, participant_id, preferred_sectors, enrolled_on):
        modules = (FIRST_MODULE,) + tuple(dict.fromkeys(
            ROUTE_BY_SECTOR[s] for s in preferred_sectors if s in ROUTE_BY_SECTOR))[:1]
        weeks = sum(CATALOGUE[m].weeks for m in modules)
        return cls(str(uuid.uuid4()), participant_id, modules, enrolled_on,
                   enrolled_on + timedelta(weeks=weeks))

    def passed(self, module):
        return any(r.module == module and r.passed for r in self.results)

    @property
    def complete(self):
        return all(self.passed(m) for m in self.modules)

    def record_result(self, module, passed, completed_on):
        """Record a module's result; returns the certificate a pass earns, or None."""
        if self.status is not Status.ENROLLED:
            raise Conflict(f"the programme is {self.status.value}")
        if module not in self.modules:
            raise Invalid("module", f"{module!r} is not in this programme")
        if self.passed(module):
            raise Conflict(f"{module!r} is already passed")
        self.results = [*self.results, ModuleResult(module, passed, completed_on)]
        if not passed:
            return None
        certificate = _certificate_for(CATALOGUE[module], completed_on)
        self.certificates = [*self.certificates, certificate]
        if self.complete:
            self.status = Status.COMPLETED
        return certificate

    def drop_out(self, reason):
        if self.status is not Status.ENROLLED:
            raise Conflict(f"the programme is {self.status.value}")
        self.status = Status.DROPPED_OUT
        self.drop_out_reason = reason


def _certificate_for(module, issued_on):
    expires_on = None
    if module.valid_years:
        expires_on = _add_years(issued_on, module.valid_years)
    return Certificate(str(uuid.uuid4()), module.certificate, module.code, issued_on, expires_on)


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
