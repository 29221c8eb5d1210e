"""One privacy policy decides who may know what: notifications' visibility, what it may forward
to each integrator on the broker, and docs/privacy.md are all made from
shared/contracts/policy.py and cannot disagree with it."""
import json
import re

from doorstroom import privacy, provisioning
from services.notifications.domain import VISIBLE_TO
from shared.contracts import all_contracts
from shared.contracts.policy import (INTEGRATOR, PURPOSES, RECEIVERS, RECEIVERS_ONLY,
                                     WITHDRAWAL, integrators, visible_to)
from shared.contracts.vocabulary import CONSENT_PURPOSES
from shared.http import ROLES


def test_every_fact_has_its_receivers_and_every_receiver_a_known_purpose():
    assert set(RECEIVERS) == set(all_contracts())
    organisations = set(ROLES.values())
    for event_type, receivers in RECEIVERS.items():
        for receiver, purpose in receivers.items():
            assert purpose in PURPOSES, (event_type, purpose)
            assert receiver in organisations or receiver.startswith(INTEGRATOR), receiver
    assert {p.needs for p in PURPOSES.values()} - {None} <= CONSENT_PURPOSES


def test_notifications_lets_each_organisation_hear_what_the_policy_says():
    assert set(VISIBLE_TO) == set(ROLES.values())
    for organisation, types in VISIBLE_TO.items():
        assert sorted(types) == visible_to(organisation), organisation
    assert VISIBLE_TO["operator"] == sorted(set(all_contracts()) - RECEIVERS_ONLY)


def test_the_wage_is_told_to_the_municipality_alone():
    """No organisation but the municipality, operators neither, hears of the agreed terms
    through notifications, and no integrator but the municipality's gets them."""
    hearing = {organisation for organisation, types in VISIBLE_TO.items()
               if "placement.terms_agreed" in types}
    assert hearing == {"municipality"}
    assert {name for name, types in integrators().items()
            if "placement.terms_agreed" in types} == {"municipality"}


def test_notifications_may_forward_each_integrator_exactly_the_facts_the_policy_gives_it():
    """And the withdrawal of a basis, to an integrator that may hold facts on one."""
    definitions = json.loads(provisioning.DEFINITIONS.read_text())
    forwarded = {grant["exchange"]: set(_listed(grant["write"]))
                 for grant in definitions["topic_permissions"]
                 if grant["user"] == provisioning.service_user(provisioning.FORWARDER)
                 and grant["exchange"].startswith("integrator.")}
    assert forwarded == {f"integrator.{name}": set(types) | withdrawal
                         for name, types in integrators().items()
                         for withdrawal in [{WITHDRAWAL} if name == "municipality" else set()]}


def test_an_integrator_reads_its_own_exchange_and_no_producers():
    definitions = json.loads(provisioning.DEFINITIONS.read_text())
    read = {grant["user"]: grant["read"] for grant in definitions["permissions"]
            if grant["user"].startswith("integrator-")}
    assert read == {provisioning.integrator_user(name):
                    f"^{re.escape(provisioning.integrator_user(name))}\\..*$"
                    f"|^({re.escape(f'integrator.{name}')})$" for name in integrators()}


def _listed(pattern):
    return pattern.removeprefix("^(").removesuffix(")$").replace("\\.", ".").split("|")


def test_the_committed_register_of_processing_is_current():
    assert privacy.REGISTER.read_text() == privacy.render(), \
        "docs/privacy.md is stale: run `doorstroom privacy-register` and commit it"
