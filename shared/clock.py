"""The chain's one clock. Moments are kept in UTC; days are the days of the people the chain
serves, in Europe/Amsterdam: a release recorded at 00:30 on 2 January, Dutch time, happened on
2 January, though UTC still says the first."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")


def now():
    return datetime.now(timezone.utc)


def today():
    return now().astimezone(ZONE).date()

