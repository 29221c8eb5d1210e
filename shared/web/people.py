"""People who sign in to a service's pages: their accounts, their sessions and the rules of
signing in.

An account is an entry of the API keys file with a password hash (argon2) beside its role and
organisation, and a TOTP secret for the roles that can read identities or audit logs, which
must give a second factor. A session is a random token in an HttpOnly, SameSite=Strict cookie,
of which the database keeps only the hash, so that a session ends for every instance of the
service at once: when its person signs out, when it was idle too long, or at its absolute end.
An account whose sign-ins failed again and again must wait longer before each next try
(tests/test_web_sign_in.py)."""
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nameko.extensions import DependencyProvider, SharedExtension
from eventlet import tpool
from sqlalchemy import delete, or_, select, update

from shared import clock
from shared.database import Database
from shared.http import ApiKeys, Caller
from shared.store import dialect_insert
from shared.web.store import sign_in_attempts, web_sessions

# The roles that can read identities (intake) or audit logs: a password alone does not open
# their pages.
SECOND_FACTOR_ROLES = frozenset({"pi-case-manager", "pi-privacy-officer"})
# Failed sign-ins an account may have before each next try must wait, twice as long each time.
FREE_FAILURES = 3
LONGEST_WAIT = timedelta(minutes=15)
# How long a password's session waits for its second factor.
CODE_WAIT = timedelta(minutes=5)
# A session's last request is written at most this often, so that reading pages does not write
# every time; its idle end may come this much early.
SEEN_EVERY = timedelta(minutes=1)
# An account's tries are forgotten this long after the last, tried names that have no account
# among them: by then no wait is left (LONGEST_WAIT) and no code step taken can come again.
TRIES_KEPT = timedelta(days=1)
CODE = re.compile(r"[0-9]{6}")
hasher = PasswordHasher()
# Verified when no account has the name, so that an unknown name takes as long as a wrong
# password and does not tell that it is unknown.
NO_ACCOUNT = hasher.hash(secrets.token_urlsafe(16))


def new_password_hash(password):
    return hasher.hash(password)


def new_totp_secret():
    return pyotp.random_base32()


@dataclass(frozen=True)
class SignedIn:
    caller: Caller
    token: str
    # Whether the second factor is given, or none is needed: only then does a page open.
    complete: bool
    # The person's name as the pages greet them: their account's `name`, or its key.
    shown_as: str

    @property
    def csrf_token(self):
        """What every form of this session carries: derived from the session's token, so that
        another site, which cannot read the cookie, cannot make it."""
        return csrf_token_of(self.token)


def csrf_token_of(secret):
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


class SignInRefused(Exception):
    def __init__(self, message, wait=None):
        super().__init__(message)
        self.wait = wait


class People(SharedExtension):
    api_keys = ApiKeys()
    database = Database()

    def setup(self):
        config = self.container.config
        self.idle = timedelta(minutes=float(config.get("WEB_IDLE_MINUTES", 15)))
        self.longest = timedelta(hours=float(config.get("WEB_SESSION_HOURS", 8)))
        _, self.sessions = self.database.open()

    def sign_in(self, name, password):
        """A new session's token for the person whose password this is, their caller, and
        whether the session waits for a second factor; raises SignInRefused saying why not,
        without telling whether the name is known."""
        now = clock.now()
        self._try(name, now)
        account = self.api_keys.person(name)
        if not _verified(account[1]["password_argon2"] if account else NO_ACCOUNT, password):
            raise SignInRefused("naam of wachtwoord onjuist")
        caller, entry = account
        needs_code = caller.role in SECOND_FACTOR_ROLES
        if needs_code and not entry.get("totp_secret"):
            raise SignInRefused("dit account heeft een tweede factor nodig, maar er is er geen "
                                "ingesteld: vraag de beheerder erom")
        token = secrets.token_urlsafe(32)
        with self.sessions() as session:
            session.execute(delete(web_sessions).where(
                web_sessions.c.started_at < now - self.longest))
            session.execute(delete(sign_in_attempts).where(
                sign_in_attempts.c.last_failure_at < now - TRIES_KEPT))
            session.execute(web_sessions.insert().values(
                token_sha256=_hash(token), person=name, started_at=now, last_seen_at=now,
                second_factor_at=None if needs_code else now, account_version=_version(entry)))
            if not needs_code:
                # With a code to come, the try counts as failed until the code is right.
                session.execute(delete(sign_in_attempts)
                                .where(sign_in_attempts.c.account == name))
            session.commit()
        return token, caller, needs_code

    def confirm(self, signed_in, code):
        """The session's new token, if `code` is the TOTP of its person now and no code of
        this or a later time step was accepted before, or None; every code counts as a failed
        try of the account until it is accepted. The token changes once the second factor is
        given, so that one planted before it does not reach past it."""
        now = clock.now()
        name = signed_in.caller.name
        try:
            self._try(name, now)
        except SignInRefused:
            return None
        account = self.api_keys.person(name)
        secret = account[1].get("totp_secret") if account else None
        step = (_matching_step(pyotp.TOTP(secret), code.strip(), now)
                if secret and CODE.fullmatch(code.strip()) else None)
        if step is None:
            return None
        token = secrets.token_urlsafe(32)
        with self.sessions() as session:
            # Taken by one of two that give the same code at once: the other's update finds
            # the step used (test_a_code_given_twice_at_once_opens_one_session).
            taken = session.execute(
                update(sign_in_attempts)
                .where(sign_in_attempts.c.account == name,
                       or_(sign_in_attempts.c.last_code_step.is_(None),
                           sign_in_attempts.c.last_code_step < step))
                .values(failures=0, last_code_step=step)).rowcount
            if taken != 1:
                return None
            session.execute(update(web_sessions)
                            .where(web_sessions.c.token_sha256 == _hash(signed_in.token))
                            .values(token_sha256=_hash(token), second_factor_at=now,
                                    last_seen_at=now))
            session.commit()
        return token

    def signed_in(self, token):
        """The session of this cookie while it lasts, seen now; None once it has ended."""
        if not token:
            return None
        now = clock.now()
        with self.sessions() as session:
            row = session.execute(select(web_sessions).where(
                web_sessions.c.token_sha256 == _hash(token))).one_or_none()
            if row is None:
                return None
            account = self.api_keys.person(row.person)
            awaited = row.second_factor_at is None
            this = web_sessions.c.token_sha256 == row.token_sha256
            if (account is None or _version(account[1]) != row.account_version or
                    now - row.started_at > self.longest or
                    now - row.last_seen_at > (CODE_WAIT if awaited else self.idle)):
                session.execute(delete(web_sessions).where(this))
                session.commit()
                return None
            if not awaited and now - row.last_seen_at >= SEEN_EVERY:
                session.execute(update(web_sessions).where(this).values(last_seen_at=now))
                session.commit()
        return SignedIn(account[0], token, not awaited, account[1].get("name") or row.person)

    def sign_out(self, token):
        with self.sessions() as session:
            session.execute(delete(web_sessions).where(web_sessions.c.token_sha256 == _hash(token)))
            session.commit()

    def _try(self, name, now):
        """Count a try of the account before its password or code is checked, or raise
        SignInRefused while it must wait: counted first, so that tries sent at once cannot
        all pass while the first is being checked (test_tries_sent_at_once_are_counted_all)."""
        with self.sessions() as session:
            # A write first: it holds the row (PostgreSQL) or the database (SQLite) until the
            # try is counted, so that concurrent tries are counted one after the other.
            session.execute(dialect_insert(session, sign_in_attempts)
                            .values(account=name, failures=0)
                            .on_conflict_do_update(index_elements=[sign_in_attempts.c.account],
                                                   set_={"failures": sign_in_attempts.c.failures}))
            row = session.execute(select(sign_in_attempts).where(
                sign_in_attempts.c.account == name)).one()
            wait = _wait(row.failures, row.last_failure_at, now)
            if wait:
                session.rollback()
                raise SignInRefused("te veel mislukte pogingen", wait)
            session.execute(update(sign_in_attempts).where(sign_in_attempts.c.account == name)
                            .values(failures=row.failures + 1, last_failure_at=now))
            session.commit()


def _wait(failures, last_failure_at, now):
    """How long an account with `failures` tries not yet proven right must still wait, or
    None."""
    if failures < FREE_FAILURES or last_failure_at is None:
        return None
    pause = min(timedelta(seconds=2 ** min(failures - FREE_FAILURES, 10)), LONGEST_WAIT)
    left = last_failure_at + pause - now
    return left if left > timedelta(0) else None


def _verified(password_hash, password):
    """Whether the password is the one hashed; in a thread of its own, as argon2 takes tens of
    milliseconds and would hold up every other request of the service meanwhile."""
    try:
        return tpool.execute(hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _matching_step(totp, code, now):
    """The time step (of the one before now to the one after, for clocks that differ) whose
    code `code` is, or None."""
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _version(entry):
    """What a session remembers of its account: changed with its password or its secret
    (test_a_new_password_ends_the_sessions_of_the_old)."""
    return _hash(entry["password_argon2"] + "\n" + entry.get("totp_secret", ""))


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class PeopleProvider(DependencyProvider):
    """`self.people` in a page's worker."""
    people = People()

    def get_dependency(self, worker_ctx):
        return self.people
