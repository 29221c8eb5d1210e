"""`doorstroom keys`: a key is shown once and the file keeps only its hash; intake, running on
the real broker, lets the key in at once and shuts it out once it is revoked. The key files that
seal data at rest (`doorstroom identity-keys`, `webhook-keys`) are made once, never
overwritten."""
import json
import subprocess
import sys
import time

import pytest
import requests

from doorstroom import chain
from tests.harness import running_intake


def doorstroom(*args):
    return subprocess.run([sys.executable, "-m", "doorstroom.cli", *args],
                          cwd=chain.PROJECT_ROOT, capture_output=True, text=True, timeout=60)


def keys(*args):
    return doorstroom("keys", *args)


@pytest.fixture
def keys_file(tmp_path):
    return tmp_path / "keys.json"


@pytest.fixture
def intake(amqp_uri, tmp_path, keys_file):
    keys_file.write_text("{}")
    with running_intake(amqp_uri, tmp_path, API_KEYS_FILE=str(keys_file)) as api:
        yield api.base_url


def answered(base_url, key, expected, timeout=10):
    """The status for `key`, once it is `expected` (the service reads the file on change)."""
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{base_url}/participants", timeout=10,
                              headers={"Authorization": f"Bearer {key}"}).status_code
        if status == expected or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_a_key_is_shown_once_kept_as_a_hash_and_revoked(intake, keys_file):
    added = keys("add", "a.jansen", "--role", "pi-case-manager", "--file", str(keys_file))
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip().splitlines()[-1]
    stored = keys_file.read_text()
    assert key not in stored and json.loads(stored)["a.jansen"]["key_sha256"]
    assert answered(intake, key, 200) == 200
    listed = keys("list", "--file", str(keys_file))
    assert "a.jansen  pi-case-manager" in listed.stdout and key not in listed.stdout
    assert keys("revoke", "a.jansen", "--file", str(keys_file)).returncode == 0
    assert answered(intake, key, 401) == 401


@pytest.mark.parametrize("args, says", [
    (["add", "x", "--role", "nobody"], "--role is one of"),
    (["add", "x", "--role", "employer"], "--employer-id"),
    (["add", "x", "--role", "trainer", "--employer-id", "e"], "--employer-id"),
    (["revoke", "nobody"], "no key of"),
])
def test_a_key_that_cannot_be_issued_or_revoked_says_why(keys_file, args, says):
    done = keys(*args, "--file", str(keys_file))
    assert done.returncode != 0 and says in done.stderr


@pytest.mark.parametrize("command", ["identity-keys", "webhook-keys"])
def test_a_key_file_is_made_once_and_never_overwritten(tmp_path, command):
    path = tmp_path / "sealing-keys.json"
    made = doorstroom(command, str(path))
    assert made.returncode == 0 and "keep it safe" in made.stdout, made.stderr
    before = path.read_text()
    again = doorstroom(command, str(path))
    assert again.returncode == 1 and "refusing to overwrite" in again.stderr
    assert path.read_text() == before
