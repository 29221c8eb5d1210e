"""What the pages keep in each service's database: who is signed in, and how the sign-ins of
each account went. In the database rather than the process, so that every instance of a
service knows a session, a sign-out and a run of failed sign-ins alike."""
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

from shared.store import UtcDateTime


def web_tables(metadata: MetaData):
    """Declare the sessions and sign-in attempts tables in a service's metadata."""
    return Table(
        "web_sessions", metadata,
        # The session cookie's SHA-256: the database never holds a cookie that would open it.
        Column("token_sha256", String(64), primary_key=True),
        Column("person", String(120), nullable=False, index=True),
        Column("started_at", UtcDateTime, nullable=False, index=True),
        Column("last_seen_at", UtcDateTime, nullable=False),
        # When the second factor was given; NULL while it is awaited, or where none is needed.
        Column("second_factor_at", UtcDateTime),
        # A hash of the account's password hash and TOTP secret as the session began: a new
        # password or secret ends the sessions of the old.
        Column("account_version", String(64), nullable=False),
    ), Table(
        "sign_in_attempts", metadata,
        Column("account", String(120), primary_key=True),
        Column("failures", Integer, nullable=False),
        Column("last_failure_at", UtcDateTime),
        # The TOTP time step of the last code accepted: each code opens one session.
        Column("last_code_step", BigInteger),
    )


# The same tables, as the pages of any service query them.
web_sessions, sign_in_attempts = web_tables(MetaData())
