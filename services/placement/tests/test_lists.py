"""Placements listed by when they started, with the total of all pages."""
import uuid
from datetime import timedelta

from services.placement.tests.test_service import COACH, TODAY, accepted_match, api, start  # noqa: F401

WATCHED = ("placement",)


def test_placements_are_filtered_by_when_they_started_with_the_total_of_all_pages(api, broker):
    employer = str(uuid.uuid4())
    days = [TODAY - timedelta(days=ago) for ago in (30, 20, 10)]
    placements = []
    for day in days:
        _, placement_id, _ = accepted_match(broker, employer_id=employer)
        start(api, placement_id, on=day)
        placements.append(placement_id)
    query = (f"/placements?employer_id={employer}&started_after={days[1]}"
             f"&started_before={days[2]}&limit=1")
    response = api.call("GET", query, COACH)
    assert response.status_code == 200, response.text
    [listed] = response.json()
    assert listed["id"] in placements[1:] and response.headers["X-Total-Count"] == "2"
    everything = api.call("GET", f"/placements?employer_id={employer}", COACH)
    assert everything.headers["X-Total-Count"] == "3"
