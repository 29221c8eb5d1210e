"""The audit log's chain, as every service that audits reads of personal data keeps it: what
each entry's hash covers, and where a tampered chain first breaks."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared.audit import GENESIS, Outcome, PersonalDataRead, check_chain

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def chain(count=4):
    entries, previous = [], GENESIS
    for position in range(1, count + 1):
        read = PersonalDataRead("p-1", "a.jansen", "pi-case-manager", "pi", ("name", "bsn"),
                                NOW + timedelta(seconds=position), Outcome.ALLOWED)
        entries.append(read.chained(position, previous))
        previous = entries[-1].hash
    return entries


def test_an_intact_chain_is_checked_to_its_last_hash():
    entries = chain()
    check = check_chain(entries, written=4)
    assert check.intact and (check.entries, check.last_hash) == (4, entries[-1].hash)


def test_the_hash_covers_the_content_and_not_how_the_moment_was_written():
    read = chain(1)[0]
    elsewhere = replace(read, read_at=read.read_at.astimezone(timezone(timedelta(hours=2))))
    assert elsewhere.chained(1, GENESIS).hash == read.hash
    assert replace(read, outcome=Outcome.REFUSED).content_hash() != read.hash


@pytest.mark.parametrize("tamper, good, at, problem", [
    (lambda e: e[:1] + [replace(e[1], reader="x")] + e[2:], 1, 2, "does not match its hash"),
    # Its hash made again to fit: the entry after it no longer follows.
    (lambda e: e[:1] + [replace(e[1], reader="x").chained(2, e[0].hash)] + e[2:], 2, 3,
     "does not name the hash of the entry before it"),
    (lambda e: e[:1] + e[2:], 1, 3, "the entry at 2 is missing"),
    (lambda e: e[:3], 3, 4, "the last are missing"),
])
def test_a_tampered_chain_names_where_it_first_breaks(tamper, good, at, problem):
    entries = tamper(chain())
    check = check_chain(entries, written=4)
    assert not check.intact and check.broken_at == at and problem in check.problem
    assert check.entries == good and check.last_hash == entries[good - 1].hash


def test_entries_appended_while_the_check_ran_are_checked_too():
    assert check_chain(chain(4), written=3).entries == 4


def test_a_chain_without_its_count_is_not_intact():
    check = check_chain(chain(2), written=None)
    assert not check.intact and check.broken_at == 3
