"""One privacy policy decides who may know what: notifications' visibility, the integrators'
broker grants and docs/privacy.md are all made from shared/contracts/policy.py and cannot
disagree with it."""
import json

from doorstroom import privacy, provisioning
from services.notifications.domain import VISIBLE_TO
from shared.contracts import all_contracts
from shared.contracts.policy import INTEGRATOR, PURPOSES, RECEIVERS, integrators, visible_to
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
    assert VISIBLE_TO["operator"] == sorted(all_contracts())


def test_each_integrator_may_bind_exactly_the_facts_the_policy_gives_it():
    definitions = json.loads(provisioning.DEFINITIONS.read_text())
    granted = {}
    for grant in definitions["topic_permissions"]:
        if grant["user"].startswith("integrator-") and grant["read"] != "^$":
            granted.setdefault(grant["user"], set()).update(
                grant["read"].removeprefix("^(").removesuffix(")$").replace("\\.", ".").split("|"))
    assert granted == {provisioning.integrator_user(name): set(types)
                       for name, types in integrators().items()}


def test_the_committed_register_of_processing_is_current():
    assert privacy.REGISTER.read_text() == privacy.render(), \
        "docs/privacy.md is stale: run `doorstroom privacy-register` and commit it"
