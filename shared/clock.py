"""The chain's one clock. Moments are kept in UTC; days are the days of the people the chain
serves, in Europe/Amsterdam: a release recorded at 00:30 on 2 January, Dutch time, happened on
2 January, though UTC still says the first."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from shared.errors import Invalid

ZONE = ZoneInfo("Europe/Amsterdam")


def now():
    return datetime.now(timezone.utc)


def today():
    return now().astimezone(ZONE).date()


# The domains' rules of days, given the day it is (they keep no clock of their own).

def happened(field, day, today):
    """What is recorded as having happened cannot have happened after today."""
    if day > today:
        raise Invalid(field, f"{day} lies in the future: today is {today}")


def expected(field, day, today):
    """What is expected to happen cannot be expected before today."""
    if day < today:
        raise Invalid(field, f"{day} lies in the past: today is {today}")

