"""`doorstroom broker-definitions`: the RabbitMQ accounts of the chain, as a definitions file
that docker compose loads, generated from the contracts and the services' subscriptions.

- One user per organisation's service. It may publish only to its own exchange, and there only
  its own event types (topic permissions); it reads the exchanges it consumes, and there binds
  only the types it consumes, but may not declare or delete them; its queues and its requeue
  exchange all start with its name, and only those it may configure.
- One user per integrator, entitled to a list of event types: it binds its own queues to those
  types only, and publishes nothing to the chain.
- An operator user (administrator) for `doorstroom status`, `dlq` and `tail`.

The passwords here are for a local chain; change them on any broker that matters
(`rabbitmqctl change_password USER PASSWORD`).
"""
import base64
import hashlib
import json
import re

from doorstroom import chain, topology
from doorstroom.generated import write_or_check
from shared.consumer import SERVICE_ACCOUNT
from shared.contracts import all_contracts
from shared.contracts.policy import integrators
from shared.events import exchange_for

DEFINITIONS = chain.PROJECT_ROOT / "docker" / "rabbitmq" / "definitions.json"
VHOST = "/"
OPERATOR = "doorstroom-operator"

# Integrators and the facts each is entitled to, from the chain's privacy policy.
INTEGRATORS = integrators()


def service_user(service):
    return SERVICE_ACCOUNT.format(service=service)


def integrator_user(name):
    return f"integrator-{name}"


def local_password(user):
    return f"{user}-local"


def _names(*names):
    return "^(" + "|".join(re.escape(name) for name in sorted(set(names))) + ")$"


def _own(prefix):
    return f"^{re.escape(prefix)}\\..*$"


def _either(*patterns):
    return "|".join(patterns)


def grants():
    """Every user's permissions: [(user, configure, write, read, {exchange: (write, read)})]."""
    contracts = all_contracts()
    found = []
    for service in chain.SERVICES:
        subscriptions = topology.subscriptions(service)
        consumed = {}
        for subscription in subscriptions:
            consumed.setdefault(exchange_for(subscription.source), set()).update(
                subscription.event_types)
        own = _own(service)
        topics = {exchange: ("^$", _names(*types)) for exchange, types in consumed.items()}
        published = [t for t, c in contracts.items() if c.producer == service]
        topics[exchange_for(service)] = (_names(*published), "^$")
        # Binding to the exchanges it consumes needs read only: it may not declare, change or
        # delete them, nor anything else that is not its own.
        found.append((service_user(service), own, own,
                      _either(own, _names(*consumed)) if consumed else own, topics))
    for name, entitled in INTEGRATORS.items():
        exchanges = {}
        for event_type in entitled:
            exchanges.setdefault(exchange_for(contracts[event_type].producer), set()).add(
                event_type)
        own = _own(integrator_user(name))
        found.append((integrator_user(name), own, own, _either(own, _names(*exchanges)),
                      {exchange: ("^$", _names(*types)) for exchange, types in exchanges.items()}))
    return found


def password_hash(user, password):
    """RabbitMQ's salted SHA-256 hash; the salt comes from the user name, so the generated file
    is the same on every run."""
    salt = hashlib.sha256(user.encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def build():
    users, permissions, topic_permissions = [], [], []
    for user, configure, write, read, topics in grants():
        users.append(_user(user, []))
        permissions.append({"user": user, "vhost": VHOST, "configure": configure,
                            "write": write, "read": read})
        for exchange, (topic_write, topic_read) in sorted(topics.items()):
            topic_permissions.append({"user": user, "vhost": VHOST, "exchange": exchange,
                                      "write": topic_write, "read": topic_read})
    users.append(_user(OPERATOR, ["administrator"]))
    permissions.append({"user": OPERATOR, "vhost": VHOST, "configure": ".*", "write": ".*",
                        "read": ".*"})
    return {
        "users": users,
        "vhosts": [{"name": VHOST}],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "exchanges": [{"name": exchange, "vhost": VHOST, "type": "topic", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}
                      for exchange in topology.exchanges()],
    }


def _user(name, tags):
    return {"name": name, "password_hash": password_hash(name, local_password(name)),
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": tags}


def render():
    return json.dumps(build(), indent=2) + "\n"


def run(args):
    return write_or_check(DEFINITIONS, render(), "broker-definitions", args.check)
