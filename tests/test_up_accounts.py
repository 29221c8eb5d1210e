"""`doorstroom up` runs each service under its own broker account, made with rabbitmqctl in the
vhost of AMQP_URI; where it cannot make them, it says so and runs every service as AMQP_URI
says. (tests/test_chain_e2e.py checks the facts of a running chain name their producers.)"""
import os
import subprocess

import pytest

from doorstroom import chain, provisioning, up
from shared.consumer import SERVICE_ACCOUNT, broker_account, publisher_accounts
from tests.broker import share_accounts


def test_each_service_gets_its_own_account_which_the_broker_accepts(amqp_uri, tmp_path):
    share_accounts(tmp_path)  # the tests' passwords: a new secret would change them for all
    uris = up.service_accounts(amqp_uri, tmp_path)
    assert uris == up.service_accounts(amqp_uri, tmp_path)
    for service in chain.SERVICES:
        assert broker_account(uris[service]) == f"doorstroom-{service}"
        assert up.broker_problem(uris[service]) is None
        # So each one's consumers check who published a fact.
        assert publisher_accounts({"AMQP_URI": uris[service]}, service) == SERVICE_ACCOUNT


def test_the_passwords_come_from_a_secret_made_once_and_readable_by_its_owner_only(tmp_path):
    users, secret = ["doorstroom-intake", "doorstroom-training"], tmp_path / "run" / "secret"
    secret.parent.mkdir()
    first = provisioning.account_passwords(secret, users)
    assert secret.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in secret.parent.iterdir()] == ["secret"]  # no draft left
    assert provisioning.account_passwords(secret, users) == first
    assert len(set(first.values())) == 2
    # Another run's directory, another secret: other passwords.
    assert provisioning.account_passwords(tmp_path / "secret", users) != first


def test_when_two_runs_make_the_secret_at_once_the_first_ones_counts(tmp_path, monkeypatch):
    secret, link = tmp_path / "secret", os.link

    def another_run_made_it_meanwhile(draft, target):
        (tmp_path / "theirs").write_text("their secret")
        link(tmp_path / "theirs", target)
        link(draft, target)
    monkeypatch.setattr(os, "link", another_run_made_it_meanwhile)
    mine = provisioning.account_passwords(secret, ["doorstroom-intake"])
    monkeypatch.undo()
    assert secret.read_text() == "their secret"
    assert mine == provisioning.account_passwords(secret, ["doorstroom-intake"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret", "theirs"]


@pytest.mark.parametrize("given, failure, said", [
    ("amqp://guest:guest@broker.example.org:5672/", None, "not one broker on this machine"),
    ("amqp://guest:guest@localhost:5672/", FileNotFoundError, "rabbitmqctl is not installed"),
    ("amqp://guest:guest@localhost:5672/",
     subprocess.CalledProcessError(69, "rabbitmqctl", stderr="Error: unable to perform\nmore"),
     "rabbitmqctl failed (Error: unable to perform)")])
def test_without_the_accounts_every_service_runs_as_amqp_uri_says_with_a_warning(
        given, failure, said, tmp_path, monkeypatch, capsys):
    def import_definitions(definitions):
        raise failure
    monkeypatch.setattr(provisioning, "import_definitions", import_definitions)
    assert up.service_accounts(given, tmp_path) == dict.fromkeys(chain.SERVICES, given)
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1 and said in warning
    assert "every service runs as guest and consumers cannot check which account" in warning


def test_each_local_role_with_pages_gets_a_password_once_and_is_told_where_to_sign_in(tmp_path):
    holders = up.local_people(tmp_path, up.api_keys(tmp_path))
    case_manager = holders["pi-case-manager"]
    assert case_manager["password_argon2"].startswith("$argon2") and case_manager["totp_secret"]
    assert "totp_secret" not in holders["trainer"]
    again = up.local_people(tmp_path, up.api_keys(tmp_path))
    assert again["pi-case-manager"]["password"] == case_manager["password"]
    lines = up.sign_in_lines(again, {"intake": 8001, "training": 8002})
    assert lines[0].split() == ["intake", "http://127.0.0.1:8001/signin"]
    assert any(line.startswith("pi-case-manager") and case_manager["password"] in line and
               case_manager["totp_secret"] in line for line in lines)
