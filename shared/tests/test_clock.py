"""The chain's days are Dutch days, whatever the machine's zone."""
from datetime import date, datetime, timezone

from shared import clock


def test_today_is_the_day_in_amsterdam_on_both_sides_of_midnight_utc(monkeypatch):
    # 23:30 UTC is 00:30 the next day in winter (CET, UTC+1) ...
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    assert clock.today() == date(2027, 1, 1)
    # ... and 22:30 UTC already is in summer (CEST, UTC+2).
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc))
    assert clock.today() == date(2026, 7, 1)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 21, 30, tzinfo=timezone.utc))
    assert clock.today() == date(2026, 6, 30)
