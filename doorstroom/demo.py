"""`doorstroom demo`: a synthetic cohort through the chain, as each organisation would do it.

Only the services' public HTTP APIs are used. Most participants are suitable; a few take the
exits real participants take: rejected at selection, dropped out of training, no suitable job.
At the end the demo reads back from each service the facts it recorded about the cohort, and
prints the funnel so measured beside the one it planned (tests/test_chain_e2e.py).
"""
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta

import requests

from doorstroom import chain
from doorstroom import keys as keys_command
from doorstroom.client import send
from shared import clock
from shared.organisations import which

WAIT_SECONDS = 60
# How long the measured funnel may take to become the planned one: facts still on their way
# when the demo's last step is done.
SETTLE_SECONDS = 30
# Each stage of the funnel: the fact that says a participant reached it, and who records it.
STAGES = (
    ("registered", "intake", "participant.registered"),
    ("admitted", "intake", "participant.admitted"),
    ("trained", "training", "training.programme_completed"),
    ("matched", "matching", "match.accepted"),
    ("placed", "placement", "placement.started"),
)

# Each suitable participant follows one vocational route; its vacancy asks for its certificate.
ROUTES = (
    ("cleaning", "office-cleaner", "cleaning-diploma", "Dordrecht"),
    ("logistics", "forklift-driver", "forklift", "Zwijndrecht"),
    ("construction", "construction-labourer", "vca-basic", "Sliedrecht"),
)


@dataclass
class Participant:
    number: int
    fate: str  # placed | rejected | dropped-out | no-job
    sector: str
    id: str = ""


def cohort(size):
    fates = {3: "rejected", 6: "dropped-out", 8: "no-job"}
    return [Participant(n, fates.get(n % 10, "placed"),
                        "hospitality" if fates.get(n % 10) == "no-job" else ROUTES[n % 3][0])
            for n in range(size)]


class Chain:
    def __init__(self, keys, base):
        self.keys = keys
        self.base = base
        self.http = requests.Session()
        # The employer the local employer key speaks for, once it speaks for one.
        self.employer = None

    def call(self, method, service, path, role, body=None, expect=(200, 201)):
        response = send(self.http, method, f"{chain.url_of(service, self.base)}{path}", body,
                        headers={"Authorization": f"Bearer {self.keys[role]['key']}"})
        if response.status_code not in expect:
            raise DemoFailed(f"{method} {service}{path} answered {response.status_code}: "
                             f"{response.text[:300]}")
        return response.json() if response.content else None

    def wait_for(self, what, probe):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(0.25)
        raise DemoFailed(f"timed out waiting for {what}")


class DemoFailed(Exception):
    pass


def plan_cohorts(api, today, places):
    """A cohort, starting today, of employee skills and of every module the cohort's routes
    need; and wait until training knows what the employers ask for."""
    for module in ("employee-skills", "forklift", "cleaning", "vca-basic", "hospitality"):
        api.call("POST", "training", "/cohorts", "trainer", {
            "module": module, "starts_on": str(today), "ends_on": str(today + timedelta(weeks=6)),
            "places": places, "trainer": "Team Leerwerkbedrijf"})
    api.wait_for("training to hear of the vacancies", lambda: {
        (d["sector"], d["certificate"]) for d in api.call("GET", "training", "/demand", "trainer")
    } >= {(sector, certificate) for sector, _, certificate, _ in ROUTES})


def set_up_employers(api, start_date, positions):
    """An employer per route, with a vacancy for it; returns the employers."""
    employers = []
    for sector, occupation, certificate, municipality in ROUTES:
        employer = api.call("POST", "matching", "/employers", "employer-desk", {
            "name": f"{sector.title()} Drechtsteden BV", "sector": sector,
            "municipality": municipality, "contact_name": "HR desk",
            "contact_email": f"hr@{sector}.example.org", "social_return": True})
        employers.append(employer)
        api.call("POST", "matching", "/vacancies", "employer-desk", {
            "employer_id": employer["id"], "occupation": occupation, "sector": sector,
            "required_certificates": ["employee-skills", certificate],
            "skills": ["teamwork", "punctuality"], "min_language_level": "A2",
            "municipality": municipality, "hours_per_week": 32, "start_date": str(start_date),
            "positions": positions})
    return employers


def bind_employer_key(keys_file, keys, employer):
    """The local employer key, which `doorstroom up` makes before any employer exists, speaks
    for `employer` from now on, unless it speaks for one already; returns it when it was
    bound now."""
    holder = keys.get("employer")
    if holder is None or holder["role"] != "employer" or keys_command.binding(holder):
        return None
    holder["organisation"] = f"employer:{employer['id']}"
    keys_command.write(keys_file, keys)
    return holder


def employer_of_key(keys):
    """The employer whose data the local employer key opens, if the demo can use that key."""
    holder = keys.get("employer", {})
    return which(keys_command.binding(holder) or "", "employer") if "key" in holder else None


def intake(api, person, today):
    """Register, screen, record consent and plan the release, as a PI case manager does."""
    route = ROUTES[person.number % 3]
    registered = api.call("POST", "intake", "/participants", "pi-case-manager", {
        "identity": {"name": f"Deelnemer {person.number:03d}", "bsn": demo_bsn(),
                     "date_of_birth": str(date(1990, 1, 1) + timedelta(days=97 * person.number))},
        "target_group": "detainee-last-phase", "institution": "PI Dordtse Poorten",
        "municipality": route[3], "expected_release_date": str(today + timedelta(days=45))})
    person.id = registered["id"]
    path = f"/participants/{person.id}"
    api.call("PUT", "intake", f"{path}/screening", "pi-case-manager", {
        "motivation": 2 if person.fate == "rejected" else 4,
        "safety": {"cleared": True, "assessed_by": "security officer", "assessed_on": str(today)},
        "language_level": "B1", "skills": ["teamwork", "punctuality"],
        "occupations": [route[1]] if person.sector == route[0] else [],
        "preferred_sectors": [person.sector], "hours_per_week": 32,
        "restrictions": {"banned_municipalities": ["Gorinchem"]} if person.number % 4 == 1 else {},
        "may_work_outside_from": str(today)})
    for purpose in ("training", "matching", "placement-follow-up"):
        api.call("POST", "intake", f"{path}/consents", "pi-case-manager", {
            "purpose": purpose, "legal_basis": "consent", "version": "2026-1"})
    api.call("POST", "intake", f"{path}/consents", "pi-case-manager", {
        "purpose": "inform-municipality", "legal_basis": "legal-obligation", "version": "2026-1"})
    decision = ({"decision": "reject", "reason": "not-motivated"} if person.fate == "rejected"
                else {"decision": "admit"})
    api.call("POST", "intake", f"{path}/selection", "pi-case-manager", decision)
    if person.fate != "rejected":
        # Sentence reduction: the release comes sooner than planned.
        api.call("PUT", "intake", f"{path}/release-date", "pi-case-manager",
                 {"expected_release_date": str(today + timedelta(days=30))})


def demo_bsn():
    """A random number that passes the eleven-test, so every demo brings new people."""
    while True:
        digits = f"{random.randrange(10**8):08d}"
        check = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1))) % 11
        if check < 10:
            return f"{digits}{check}"


def plan_release(api, person, today):
    path = f"/participants/{person.id}"
    api.call("PUT", "intake", f"{path}/basic-conditions", "pi-case-manager", {"conditions": [
        {"condition": condition, "status": "settled", "since": str(today)}
        for condition in ("id-document", "housing", "income", "debts", "care")]})
    api.call("POST", "intake", f"{path}/release", "pi-case-manager", {"released_on": str(today)})


def train(api, person, today):
    path = f"/participants/{person.id}"
    programme = api.wait_for(f"enrolment of {person.id}", lambda: _programme(api, path))
    if person.fate == "dropped-out":
        api.call("POST", "training", f"{path}/drop-out", "trainer", {"reason": "motivation"})
        return
    # Passing a module gives a place in the next module's cohort at once.
    for module in (step["module"] for step in programme["steps"]):
        api.call("POST", "training", f"{path}/results", "trainer",
                 {"module": module, "passed": True, "completed_on": str(today)})


def _programme(api, path):
    found = api.call("GET", "training", f"{path}/programme", "trainer", expect=(200, 404))
    return found if "id" in found else None


def match(api, person):
    proposal = api.wait_for(
        f"a proposal for {person.id}",
        lambda: api.call("GET", "matching", f"/proposals?participant_id={person.id}",
                         "employer-desk"))[0]
    path = f"/proposals/{proposal['id']}/responses"
    employer = proposal["employer_id"]
    if employer == api.employer:
        # The employer whose key the demo bound accepts with it, as employers do themselves.
        api.call("POST", "matching", f"/employers/{employer}/proposals/{proposal['id']}/responses",
                 "employer", {"decision": "accept"})
    else:
        # Another employer calls the desk to accept.
        api.call("POST", "matching", path, "employer-desk",
                 {"party": "employer", "decision": "accept"})
    # The caseworker records the candidate's yes.
    api.call("POST", "matching", path, "employer-desk", {"party": "candidate", "decision": "accept"})


def place(api, person, today):
    placement = api.wait_for(
        f"a planned placement for {person.id}",
        lambda: api.call("GET", "placement", f"/placements?participant_id={person.id}",
                         "job-coach"))[0]
    api.call("POST", "placement", f"/placements/{placement['id']}/start", "job-coach", {
        "contract_type": "work-trial", "hourly_wage": "14.06",
        "job_coach": "Team Jobcoaching Drechtwerk", "started_on": str(today)})


def heard_by_pi(api, ids):
    """Which of `ids` the PI's inbox says started work: proof the facts crossed the chain."""
    [pi] = api.call("GET", "notifications", "/recipients?name=pi", "pi-case-manager")
    heard, offset = set(), 0
    while True:
        page = api.call("GET", "notifications",
                        f"/recipients/{pi['id']}/inbox?offset={offset}&limit=500",
                        "pi-case-manager")
        heard |= {e["subject"] for e in page if e["event_type"] == "placement.started"}
        if len(page) < 500:
            return heard & ids
        offset += 500


def measured_funnel(api, people):
    """How many of `people` reached each stage, by the facts the services recorded about them
    (GET /events, for operators)."""
    reached = {stage: 0 for stage, _, _ in STAGES}
    for person in people:
        recorded = {}
        for service in {service for _, service, _ in STAGES}:
            recorded[service] = {fact["type"] for fact in api.call(
                "GET", service, f"/events?subject={person.id}", "operator")}
        for stage, service, fact_type in STAGES:
            reached[stage] += fact_type in recorded[service]
    return reached


def settled_funnel(api, people, planned):
    """The measured funnel, once it is the planned one or SETTLE_SECONDS have passed."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        measured = measured_funnel(api, people)
        if measured == planned or time.monotonic() > deadline:
            return measured
        time.sleep(1)


def print_funnels(planned, measured):
    """The planned and the measured funnel side by side; returns the stages where they differ."""
    print(f"{'stage':<12}{'planned':>9}{'measured':>10}")
    differing = []
    for stage in planned:
        differs = planned[stage] != measured[stage]
        print(f"{stage:<12}{planned[stage]:>9}{measured[stage]:>10}"
              f"{'   <- differs' if differs else ''}")
        if differs:
            differing.append(stage)
    return differing


def run(args):
    keys_file = chain.data_dir(args.data_dir) / "api-keys.json"
    if not keys_file.exists():
        print(f"No API keys at {keys_file}: start the chain first with `doorstroom up`.",
              file=sys.stderr)
        return 2
    keys = json.loads(keys_file.read_text())
    api = Chain(keys, chain.port_base(args.port_base))
    today = clock.today()
    people = cohort(args.participants)
    try:
        employers = set_up_employers(api, today + timedelta(days=60),
                                     positions=args.participants)
        bound = bind_employer_key(keys_file, keys, employers[0])
        api.employer = employer_of_key(keys)
        plan_cohorts(api, today, places=args.participants)
        for person in people:
            intake(api, person, today)
        admitted = [p for p in people if p.fate != "rejected"]
        for person in admitted:
            train(api, person, today)
        trained = [p for p in admitted if p.fate != "dropped-out"]
        for person in trained:
            plan_release(api, person, today)
        suitable = [p for p in trained if p.fate == "placed"]
        for person in suitable:
            match(api, person)
        for person in suitable:
            place(api, person, today)
        api.wait_for("word of every started job at the PI",
                     lambda: _all_or_none(heard_by_pi(api, {p.id for p in suitable}),
                                          len(suitable)))
        unmatched = [p for p in trained if p.fate == "no-job"
                     and api.call("GET", "matching", f"/proposals?participant_id={p.id}",
                                  "employer-desk")]
        planned = {"registered": len(people), "admitted": len(admitted),
                   "trained": len(trained), "matched": len(suitable), "placed": len(suitable)}
        measured = settled_funnel(api, people, planned)
    except (DemoFailed, requests.RequestException) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1

    differing = print_funnels(planned, measured)
    if bound:
        print(f"the employer key in {keys_file} (holder `employer`) now speaks for "
              f"{employers[0]['name']} ({employers[0]['id']}): {bound['key']}")
    if differing:
        print(f"demo failed: the measured funnel differs from the plan at "
              f"{', '.join(differing)}, {SETTLE_SECONDS}s after the last step", file=sys.stderr)
        return 1
    if unmatched:
        print(f"demo failed: {len(unmatched)} participant(s) without a suitable job got a "
              "proposal", file=sys.stderr)
        return 1
    print("the chain's facts show the planned funnel; every accepted match became a started "
          "placement")
    return 0


def _all_or_none(found, expected):
    return found if len(found) == expected else None
