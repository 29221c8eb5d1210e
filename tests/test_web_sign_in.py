"""Signing in to a service's pages, over real HTTP, on SQLite and on PostgreSQL: passwords,
the second factor, sessions that end, CSRF tokens, roles of other organisations, slowing down
after failed tries, and the audit log naming the person."""
import time
import uuid
from datetime import timedelta

import eventlet
import pyotp
import pytest
import requests
from sqlalchemy import func, select

from shared import clock
from shared.store import make_engine
from shared.web.people import TRIES_KEPT
from shared.web.store import sign_in_attempts
from tests.harness import csrf_of, running_intake
from tests.harness import sign_in as signing_in

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def pi(amqp_uri, directory, database_url):
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url,
                        WEB_COOKIE_SECURE="false") as api:
        api.add_person("t.bakker", "trainer", PASSWORD, organisation="work-company")
        api.add_person("m.jansen", "pi-case-manager", PASSWORD)  # no second factor set up
        for number in range(3):
            api.add_person(f"slow.{number}", "trainer", PASSWORD)
        yield api


def browser(pi):
    session = requests.Session()
    session.base = pi.base_url
    return session


def sign_in(pi, name, password=PASSWORD, code=None):
    """A browser's session after signing in; returns (session, last response)."""
    return signing_in(pi.base_url, name, password, code)


def case_manager(pi):
    """A new case manager's account, its name and its TOTP: a code opens one session of an
    account, so each test has its own."""
    name = f"c.de.vries.{uuid.uuid4().hex[:6]}"
    secret = pyotp.random_base32()
    pi.add_person(name, "pi-case-manager", PASSWORD, second_factor=secret)
    return name, pyotp.TOTP(secret)


def signed_in_case_manager(pi):
    name, totp = case_manager(pi)
    session, answer = sign_in(pi, name, code=totp.now())
    assert answer.status_code == 303, answer.text
    return name, session


def test_the_sign_in_page_keeps_itself_to_itself(pi):
    page = requests.get(pi.base_url + "/signin")
    assert page.status_code == 200 and 'lang="nl"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    english = requests.get(pi.base_url + "/signin", headers={"Accept-Language": "en"})
    assert "Sign in" in english.text and 'lang="en"' in english.text


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(pi):
    for name, password in (("t.bakker", "wrong"), ("nobody", PASSWORD)):
        session, answer = sign_in(pi, name, password)
        assert answer.status_code == 401
        assert "naam of wachtwoord onjuist" in answer.text
        assert "doorstroom-intake" not in session.cookies


def test_a_person_of_another_organisation_is_refused_the_pi_pages(pi):
    session, answer = sign_in(pi, "t.bakker")
    assert answer.status_code == 303
    cookie = session.cookies.get("doorstroom-intake")
    assert cookie and "HttpOnly" in answer.headers["Set-Cookie"]
    assert "SameSite=Strict" in answer.headers["Set-Cookie"]
    refused = session.get(pi.base_url + "/pi/participants")
    assert refused.status_code == 403 and "niet voor uw rol" in refused.text


def test_a_case_manager_needs_the_second_factor(pi):
    name, totp = case_manager(pi)
    session, answer = sign_in(pi, name)
    assert answer.headers["Location"].endswith("/signin/code")
    waiting = session.get(pi.base_url + "/pi/participants", allow_redirects=False)
    assert waiting.status_code == 303 and "/signin" in waiting.headers["Location"]
    page = session.get(pi.base_url + "/signin/code")
    wrong = session.post(pi.base_url + "/signin/code", data={
        "code": "000000" if totp.now() != "000000" else "111111", "csrf_token": csrf_of(page)})
    assert wrong.status_code == 401 and "klopt niet" in wrong.text
    right = session.post(pi.base_url + "/signin/code", allow_redirects=False, data={
        "code": totp.now(), "csrf_token": csrf_of(page)})
    assert right.status_code == 303
    assert session.get(pi.base_url + "/pi/participants").status_code == 200


def test_a_code_opens_one_session_only(pi):
    name, totp = case_manager(pi)
    code = totp.now()
    _, first = sign_in(pi, name, code=code)
    _, again = sign_in(pi, name, code=code)
    if code != totp.now():  # the time step turned between the two: the second is new
        pytest.skip("the TOTP time step turned during the test")
    assert first.status_code == 303 and again.status_code == 401


def test_an_account_of_a_second_factor_role_without_one_cannot_sign_in(pi):
    _, answer = sign_in(pi, "m.jansen")
    assert answer.status_code == 401 and "tweede factor" in answer.text


def test_a_form_without_its_token_is_refused(pi):
    _, session = signed_in_case_manager(pi)
    page = session.get(pi.base_url + "/pi/participants/new")
    assert page.status_code == 200
    for token in ("", "forged", csrf_of(requests.get(pi.base_url + "/signin"))):
        refused = session.post(pi.base_url + "/pi/participants/new", data={"csrf_token": token})
        assert refused.status_code == 403, token
    assert session.post(pi.base_url + "/signout", data={}).status_code == 403


def test_signing_out_ends_the_session_for_the_cookie_too(pi):
    session, _ = sign_in(pi, "t.bakker")
    cookie = session.cookies.get("doorstroom-intake")
    page = session.get(pi.base_url + "/signin")  # any page: its forms carry the token
    signed_out = session.post(pi.base_url + "/signout", allow_redirects=False,
                              data={"csrf_token": csrf_of(page)})
    assert signed_out.status_code == 303
    stolen = requests.get(pi.base_url + "/pi/participants", allow_redirects=False,
                          cookies={"doorstroom-intake": cookie})
    assert stolen.status_code == 303 and "/signin" in stolen.headers["Location"]


def test_a_session_ends_when_idle_and_at_its_end(pi, monkeypatch):
    _, session = signed_in_case_manager(pi)
    started = clock.now()
    participants = pi.base_url + "/pi/participants"
    monkeypatch.setattr(clock, "now", lambda: started + timedelta(minutes=14))
    assert session.get(participants, allow_redirects=False).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: started + timedelta(minutes=30))
    assert session.get(participants, allow_redirects=False).status_code == 303
    session, _ = sign_in(pi, "t.bakker")
    started = clock.now()
    for minutes in range(10, 8 * 60, 10):  # never idle, yet not longer than 8 hours
        monkeypatch.setattr(clock, "now", lambda: started + timedelta(minutes=minutes))
        assert session.get(pi.base_url + "/signin/code", allow_redirects=False).status_code \
            in (200, 403)
    monkeypatch.setattr(clock, "now", lambda: started + timedelta(hours=8, minutes=1))
    ended = session.get(pi.base_url + "/signin/code", allow_redirects=False)
    assert ended.status_code == 303


def test_a_password_waits_five_minutes_for_its_code(pi, monkeypatch):
    name, _ = case_manager(pi)
    session, _ = sign_in(pi, name)
    started = clock.now()
    monkeypatch.setattr(clock, "now", lambda: started + timedelta(minutes=6))
    page = session.get(pi.base_url + "/signin/code", allow_redirects=False)
    assert page.status_code == 303 and "/signin" in page.headers["Location"]


def test_failed_sign_ins_slow_the_account_down(pi):
    for _ in range(3):
        assert sign_in(pi, "slow.0", "wrong")[1].status_code == 401
    _, refused = sign_in(pi, "slow.0")  # right, but the fourth try comes after a second
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    _, refused = sign_in(pi, "slow.0", "wrong")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    time.sleep(1.1)
    assert sign_in(pi, "slow.0")[1].status_code == 303
    assert sign_in(pi, "slow.1")[1].status_code == 303  # another account is not slowed


def test_the_audit_log_names_the_person_who_read_an_identity(pi):
    participant = pi.call("POST", "/participants", "pi-case-manager", {
        "identity": {"name": "Anna de Wit", "bsn": "123456782", "date_of_birth": "1990-01-02"},
        "target_group": "detainee-last-phase", "institution": "PI Dordrecht",
        "municipality": "0505", "expected_release_date": str(clock.today() + timedelta(60))})
    assert participant.status_code == 201, participant.text
    participant_id = participant.json()["id"]
    name, session = signed_in_case_manager(pi)
    page = session.get(f"{pi.base_url}/pi/participants/{participant_id}")
    assert "Anna de Wit" not in page.text
    shown = session.post(f"{pi.base_url}/pi/participants/{participant_id}/identity",
                         data={"csrf_token": csrf_of(page)})
    assert shown.status_code == 200 and "Anna de Wit" in shown.text
    reads = pi.call("GET", f"/audit/personal-data-reads?participant_id={participant_id}",
                    "pi-privacy-officer").json()
    assert {(read["reader"], tuple(read["fields"])) for read in reads} >= {
        (name, ("name", "bsn", "date_of_birth"))}


def test_the_privacy_officer_reads_and_exports_the_audit_log(pi):
    name, secret = f"p.smit.{uuid.uuid4().hex[:6]}", pyotp.random_base32()
    pi.add_person(name, "pi-privacy-officer", PASSWORD, second_factor=secret)
    session, answer = sign_in(pi, name, code=pyotp.TOTP(secret).now())
    assert answer.status_code == 303
    log = session.get(pi.base_url + "/")
    assert log.url.endswith("/pi/audit") and "hashketen is heel" in log.text
    reader, case_manager = signed_in_case_manager(pi)
    case_manager.get(pi.base_url + "/pi/participants")
    mine = session.get(pi.base_url + f"/pi/audit?reader={reader}")
    assert "1 regels" in mine.text or f">{reader}<" in mine.text
    export = session.get(pi.base_url + f"/pi/audit/export?reader={reader}")
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = export.text.strip().splitlines()
    assert rows[0].startswith("position,") and all(reader in row for row in rows[1:])
    assert len(rows) >= 2
    assert session.get(pi.base_url + "/pi/participants").status_code == 403
    assert case_manager.get(pi.base_url + "/pi/audit").status_code == 403
    wrong = session.get(pi.base_url + "/pi/audit?since=gisteren")
    assert wrong.status_code == 422


def test_a_sign_in_sends_no_one_elsewhere(pi):
    for where in ("/\t/evil.example/x", "//evil.example/x", "https://evil.example/",
                  "/\\evil.example", "/x\r\nSet-Cookie: a=b"):
        session = browser(pi)
        form = session.get(pi.base_url + "/signin")
        answer = session.post(pi.base_url + "/signin", allow_redirects=False, data={
            "name": "t.bakker", "password": PASSWORD, "csrf_token": csrf_of(form),
            "next": where})
        assert answer.status_code == 303, where
        assert answer.headers["Location"] == "/", where
    session = browser(pi)
    form = session.get(pi.base_url + "/signin?next=/pi/participants%3Forder%3D-release-date")
    assert 'value="/pi/participants?order=-release-date"' in form.text
    answer = session.post(pi.base_url + "/signin", allow_redirects=False, data={
        "name": "t.bakker", "password": PASSWORD, "csrf_token": csrf_of(form),
        "next": "/pi/participants?order=-release-date"})
    assert answer.headers["Location"] == "/pi/participants?order=-release-date"


def at_once(*calls):
    """The calls' answers, the calls made at the same time."""
    pool = eventlet.GreenPool()
    return [thread.wait() for thread in [pool.spawn(call) for call in calls]]


def test_tries_sent_at_once_are_counted_all(pi):
    pi.add_person("many.tries", "trainer", PASSWORD)
    answers = at_once(*[lambda: sign_in(pi, "many.tries", "wrong")[1] for _ in range(12)])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(401) == 3 and statuses.count(429) == 9


def test_a_code_given_twice_at_once_opens_one_session(pi):
    name, totp = case_manager(pi)
    sessions = [sign_in(pi, name)[0] for _ in range(2)]
    pages = [session.get(pi.base_url + "/signin/code") for session in sessions]
    code = totp.now()
    answers = at_once(*[lambda session=session, page=page: session.post(
        pi.base_url + "/signin/code", allow_redirects=False,
        data={"code": code, "csrf_token": csrf_of(page)}) for session, page in zip(sessions, pages)])
    assert sorted(answer.status_code for answer in answers) == [303, 401]
    opened = [session for session, answer in zip(sessions, answers) if answer.status_code == 303]
    assert opened[0].get(pi.base_url + "/pi/participants").status_code == 200


def test_a_code_in_other_digits_is_refused_not_failed(pi):
    name, _ = case_manager(pi)
    session, _ = sign_in(pi, name)
    page = session.get(pi.base_url + "/signin/code")
    answer = session.post(pi.base_url + "/signin/code", data={
        "code": "١٢٣٤٥٦", "csrf_token": csrf_of(page)})
    assert answer.status_code == 401


def test_a_new_password_ends_the_sessions_of_the_old(pi):
    pi.add_person("reset.me", "trainer", PASSWORD)
    session, _ = sign_in(pi, "reset.me")
    assert session.get(pi.base_url + "/signin/code", allow_redirects=False).status_code == 200
    pi.add_person("reset.me", "trainer", "a new password after a leak")
    ended = session.get(pi.base_url + "/signin/code", allow_redirects=False)
    assert ended.status_code == 303 and "/signin" in ended.headers["Location"]


def test_the_tries_of_a_name_are_forgotten_a_day_after_the_last(pi, database_url, monkeypatch):
    """Names tried without an account among them: kept only as long as they may slow a try."""
    unknown = f"nobody.{uuid.uuid4().hex[:6]}"
    assert sign_in(pi, unknown, "guess")[1].status_code == 401
    engine = make_engine(database_url)

    def tried():
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(sign_in_attempts)
                                     .where(sign_in_attempts.c.account == unknown))
    assert tried() == 1
    later = clock.now() + TRIES_KEPT + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sign_in(pi, "t.bakker")[1].status_code == 303  # anyone's sign-in tidies up
    assert tried() == 0
    engine.dispose()
