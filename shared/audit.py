"""The audit log of reads of personal data that each service holding such data keeps in its own
database: what an entry is, what makes the entries one tamper-evident chain, and the use case
that logs every attempt to read, allowed or not.

Pure: the service's unit of work appends the entries (`uow.audit`, shared/store.py AuditLog)."""
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum

from shared import clock
from shared.contracts.fields import UUID_PATTERN
from shared.errors import Forbidden, NotFound


class Outcome(str, Enum):
    """What became of an attempt to read personal data."""
    ALLOWED = "allowed"
    REFUSED = "refused"
    NOT_FOUND = "not-found"


# What the first entry of the audit log names as the hash of the entry before it.
GENESIS = "0" * 64

# The namespace of the pseudonyms by which the services that erase a participant's data keep
# them in their audit logs (`pseudonym`).
PSEUDONYMS = uuid.UUID("5b0e3f4a-9d7c-4e1b-8a26-7c1d2f0e9b43")


def pseudonym(participant_id):
    """How the audit log of a service that erases participants names one (all but intake, which
    keeps their ids): a name-based UUID (SHA-1) of their id. The log is a legal record and
    outlives the erasure, but it holds no copy of the id, which then is in no file of the
    service; whoever has the id finds its entries again (`GET /audit/personal-data-reads?
    participant_id=`; tests/test_audit_everywhere.py)."""
    return None if participant_id is None else str(uuid.uuid5(PSEUDONYMS, participant_id))


@dataclass(frozen=True)
class PersonalDataRead:
    """An entry of the audit log: who read, or tried to read, which personal data of whom, when,
    and with what outcome.

    The entries form a hash chain: each has its place in the log, the hash of the entry before
    it, and a hash of both with its own content, so that an entry changed, removed or put in
    afterwards breaks the chain from there on (`check_chain`)."""
    # None where no participant was asked for or read, or the id asked for could not be a
    # participant's.
    participant_id: str | None
    reader: str
    role: str
    organisation: str
    fields: tuple
    read_at: datetime
    outcome: Outcome = Outcome.ALLOWED
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    position: int | None = None
    previous_hash: str | None = None
    hash: str | None = None

    @classmethod
    def by(cls, reader, participant_id, fields, read_at, outcome=Outcome.ALLOWED):
        """A read by `reader`, a key holder with a name, a role and an organisation."""
        return cls(participant_id, reader.name, reader.role, reader.organisation, tuple(fields),
                   read_at, outcome)

    def chained(self, position, previous_hash):
        """This entry as the log's entry at `position`, after the one hashed `previous_hash`."""
        entry = replace(self, position=position, previous_hash=previous_hash,
                        read_at=self.read_at.astimezone(timezone.utc))
        return replace(entry, hash=entry.content_hash())

    def content_hash(self):
        """SHA-256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8), the hash of
        the entry before it included. The names are listed, not taken from the class, so that
        a field added later leaves the hashes of entries written before as they were."""
        content = {"id": self.id, "position": self.position,
                   "previous_hash": self.previous_hash, "participant_id": self.participant_id,
                   "reader": self.reader, "role": self.role, "organisation": self.organisation,
                   "fields": list(self.fields), "read_at": self.read_at.isoformat(),
                   "outcome": self.outcome.value}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """What checking the audit log found: how many entries chain up from the first, the hash
    of the last of them, and where the chain first breaks (its position, the entry there if
    there is one, and what is wrong), if it does."""
    entries: int
    last_hash: str
    problem: str | None = None
    broken_at: int | None = None
    broken_entry: str | None = None

    @property
    def intact(self):
        return self.problem is None


def check_chain(entries, written, start=(0, GENESIS)):
    """Check `entries`, in order of position, against each other and against `written`, the
    number of entries the log says it has had (None if that record is gone). Entries beyond
    `written` are appends made while the check ran. `start`: the position and hash of the last
    entry purged after its legal term, which the first entry left must follow."""
    count, previous = start
    for entry in entries:
        due = count + 1
        if entry.position != due:
            problem = (f"it is at position {entry.position} where {due} was due: the entry at "
                       f"{due} is missing, or this one was moved")
        elif entry.previous_hash != previous:
            problem = "it does not name the hash of the entry before it: one of the two was changed"
        elif entry.content_hash() != entry.hash:
            problem = "its content does not match its hash: it was changed after it was written"
        else:
            previous, count = entry.hash, due
            continue
        return ChainCheck(count, previous, problem, entry.position, entry.id)
    if written is None:
        return ChainCheck(count, previous, "the record of how many entries were written is "
                          "missing", count + 1)
    if count < written:
        return ChainCheck(count, previous, f"the log ends at position {count}, but {written} "
                          "entries were written: the last are missing", count + 1)
    return ChainCheck(count, previous)


def audited_read(uow, reader, readers, asked, fields, read, read_about=None, now=None):
    """What `read()` gives, if `reader`'s role is one of `readers`; every attempt is logged.

    `asked` is the participant asked for (or None), `fields` what was asked of them. An allowed
    read is logged as what `read_about(found)` says was read, (participant or None, fields)
    pairs (by default `asked` with `fields`), or, where that is nothing, as a read of `asked`;
    a refused (Forbidden) or failed (NotFound) one as an attempt on `asked`. The log commits
    before the answer goes out, a refusal's on its own since it is raised only after the
    commit; a log that cannot be written (the database is away) fails the request, however it
    would have been answered (services/intake/tests/test_audit.py,
    tests/test_audit_everywhere.py)."""
    at = now or clock.now()
    asked = asked if asked is not None and re.fullmatch(UUID_PATTERN, asked) else None
    with uow:
        try:
            if reader.role not in readers:
                raise Forbidden(f"role {reader.role!r} may not read a participant's "
                                f"{', '.join(fields)}")
            found, refusal = read(), None
            reads = [PersonalDataRead.by(reader, participant, what, at) for participant, what
                     in (read_about(found) if read_about else [(asked, fields)])]
        except (Forbidden, NotFound) as exc:
            found, refusal = None, exc
            outcome = Outcome.REFUSED if isinstance(exc, Forbidden) else Outcome.NOT_FOUND
            reads = [PersonalDataRead.by(reader, asked, fields, at, outcome)]
        uow.audit.append(*(reads or [PersonalDataRead.by(reader, asked, fields, at)]))
        uow.commit()
    if refusal is not None:
        raise refusal
    return found


# Who may read the facts a service recorded (`GET /events`): they run the chain.
FACT_READERS = frozenset({"operator"})


def read_facts(uow, reader, subject, now=None):
    """The facts the service recorded, optionally about one subject, for an operator. Each
    participant's facts read are logged as a read of them, of the types of fact read; facts
    about no participant (a vacancy, a delivery) as one read of no one; an attempt by another
    role as refused."""
    def about(facts):
        types = {}
        for fact in facts:
            data = fact.get("data") or {}
            participant = fact.get("subject") if data.get("participant_id") == fact.get(
                "subject") else None
            types.setdefault(participant, set()).add(fact["type"])
        return [(participant, sorted(kinds)) for participant, kinds in types.items()]
    return audited_read(uow, reader, FACT_READERS, subject, ("facts",),
                        lambda: uow.published_facts(subject=subject), about, now)
