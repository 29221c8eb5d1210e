"""Placements and their lifecycle: planned -> started."""
import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum

from shared.errors import Conflict


class Status(str, Enum):
    PLANNED = "planned"
    STARTED = "started"


@dataclass
class Placement:
    id: str
    match_id: str
    participant_id: str
    employer_id: str
    vacancy_id: str
    start_date: date
    hours_per_week: int
    status: Status = Status.PLANNED
    contract_type: str | None = None
    job_coach: str | None = None
    started_on: date | None = None

    @classmethod
    def plan(cls, match_id, participant_id, employer_id, vacancy_id, start_date, hours_per_week):
        return cls(str(uuid.uuid4()), match_id, participant_id, employer_id, vacancy_id,
                   start_date, hours_per_week)

    def start(self, contract_type, job_coach, started_on):
        if self.status is not Status.PLANNED:
            raise Conflict(f"cannot start a placement that is {self.status.value}")
        self.contract_type = contract_type
        self.job_coach = job_coach
        self.started_on = started_on
        self.status = Status.STARTED
