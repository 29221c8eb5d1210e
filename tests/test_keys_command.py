"""`doorstroom keys`: a key is shown once and the file keeps only its hash; intake, running on
the real broker, lets the key in at once and shuts it out once it is revoked. An employer's or a
municipality's key speaks for the one named when it is issued, as notifications sees it. The key
files that seal data at rest (`doorstroom identity-keys`, `webhook-keys`) are made once, never
overwritten."""
import json
import subprocess
import sys
import time

import pytest
import requests

from doorstroom import chain
from doorstroom.up import key_lines
from services.notifications.service import NotificationsService
from tests.harness import running_intake, running_service


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
    with running_intake(amqp_uri, tmp_path, API_KEYS_FILE=str(keys_file),
                        WEB_COOKIE_SECURE="false") as api:
        yield api.base_url


def answered(base_url, key, expected, timeout=10, path="/participants"):
    """The status for `key`, once it is `expected` (the service reads the file on change)."""
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{base_url}{path}", timeout=10,
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


def test_a_key_is_issued_and_revoked_as_json_too(intake, keys_file):
    added = json.loads(keys("add", "b.smit", "--role", "pi-case-manager", "--file",
                            str(keys_file), "--json").stdout)
    assert added | {"holder": "b.smit", "role": "pi-case-manager", "organisation": None} == added
    assert answered(intake, added["key"], 200) == 200
    revoked = keys("revoke", "b.smit", "--file", str(keys_file), "--json")
    assert json.loads(revoked.stdout) == {"revoked": "b.smit"}
    assert answered(intake, added["key"], 401) == 401


EMPLOYER_ID = "5f0c6f4e-8d6b-4f57-9a43-1d2a3b4c5d6e"


@pytest.fixture
def notifications(amqp_uri, tmp_path, keys_file):
    keys_file.write_text("{}")
    with running_service(NotificationsService, amqp_uri, tmp_path,
                         API_KEYS_FILE=str(keys_file)) as api:
        yield api.base_url


@pytest.mark.parametrize("holder, args, organisation", [
    ("w.de.vries", ["--role", "municipality-caseworker", "--municipality", "Dordrecht"],
     "municipality:0505"),
    ("g.bakker", ["--role", "municipality-caseworker", "--municipality", "0512"],
     "municipality:0512"),
    ("schoon-bv", ["--role", "employer", "--employer", EMPLOYER_ID], f"employer:{EMPLOYER_ID}"),
    ("oud-bv", ["--role", "employer", "--employer-id", EMPLOYER_ID], f"employer:{EMPLOYER_ID}"),
])
def test_a_key_speaks_for_the_organisation_it_was_issued_for(notifications, keys_file, holder,
                                                             args, organisation):
    added = keys("add", holder, *args, "--file", str(keys_file))
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip().splitlines()[-1]
    assert json.loads(keys_file.read_text())[holder]["organisation"] == organisation
    assert f"{holder}  {args[1]}  {organisation}" in keys("list", "--file", str(keys_file)).stdout
    [listed] = json.loads(keys("list", "--json", "--file", str(keys_file)).stdout)
    assert listed == {"holder": holder, "role": args[1], "organisation": organisation}
    # Notifications registers the key holder's recipient as of the key's own organisation.
    assert answered(notifications, key, 200, path="/recipients") == 200
    registered = requests.post(f"{notifications}/recipients", timeout=10,
                               headers={"Authorization": f"Bearer {key}"},
                               json={"name": f"desk-{holder.replace('.', '-')}"})
    assert registered.status_code == 201, registered.text
    assert registered.json()["organisation"] == organisation


@pytest.mark.parametrize("args, says", [
    (["add", "x", "--role", "nobody"], "--role is one of"),
    (["add", "x", "--role", "employer"], "needs --employer"),
    (["add", "x", "--role", "trainer", "--employer-id", "e"], "--employer is given for, and only "
     "for, the employer role"),
    (["add", "x", "--role", "employer", "--employer", "not-an-id"], "not an employer id"),
    (["add", "x", "--role", "municipality-caseworker"], "needs --municipality"),
    (["add", "x", "--role", "municipality-caseworker", "--municipality", "dordrecht"],
     "not a CBS municipality code"),
    (["add", "x", "--role", "municipality-caseworker", "--municipality", "9999"],
     "not a CBS municipality code"),
    (["add", "x", "--role", "job-coach", "--municipality", "0505"], "--municipality is given "
     "for, and only for, the municipality-caseworker role"),
    (["add", "x", "--role", "employer", "--employer", EMPLOYER_ID, "--municipality", "0505"],
     "--municipality is given for"),
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


def test_up_shows_each_local_key_with_its_organisation_and_how_the_employer_key_gets_one():
    """`doorstroom up` makes the employer key before any employer exists: it says how that key
    comes to speak for one (the demo binds it: tests/test_chain_e2e.py); a key issued with
    `keys add` is in the file only as its hash, so up cannot show it."""
    holders = {"employer": {"role": "employer", "key": "k" * 32},
               "municipality-caseworker": {"role": "municipality-caseworker", "key": "m" * 32,
                                           "organisation": "municipality:0505"},
               "a.jansen": {"role": "pi-case-manager", "key_sha256": "0" * 64}}
    lines = key_lines(holders)
    assert lines[:2] == [f"employer                 {'k' * 32}",
                         f"municipality-caseworker  {'m' * 32}  (municipality:0505)"]
    assert "`doorstroom demo` binds it" in lines[2] and len(lines) == 3
    holders["employer"]["organisation"] = f"employer:{EMPLOYER_ID}"
    assert key_lines(holders)[0].endswith(f"(employer:{EMPLOYER_ID})")
    assert len(key_lines(holders)) == 2


def test_a_person_signs_in_with_the_password_and_code_issued_once(intake, keys_file):
    issued = keys("add", "a.jansen", "--role", "pi-case-manager", "--person", "--shown-as",
                  "Anna Jansen", "--json", "--file", str(keys_file))
    assert issued.returncode == 0, issued.stderr
    account = json.loads(issued.stdout)
    stored = json.loads(keys_file.read_text())["a.jansen"]
    assert account["password"] not in keys_file.read_text() and stored["name"] == "Anna Jansen"
    assert account["totp_uri"].startswith("otpauth://totp/")
    browser = requests.Session()
    form = browser.get(f"{intake}/signin")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = browser.post(f"{intake}/signin", allow_redirects=False, data={
        "name": "a.jansen", "password": account["password"], "csrf_token": token})
    assert signed_in.status_code == 303 and "/signin/code" in signed_in.headers["Location"]
    trainer = keys("add", "t.bakker", "--role", "trainer", "--person", "--json",
                   "--file", str(keys_file))
    assert json.loads(trainer.stdout)["totp_secret"] is None
