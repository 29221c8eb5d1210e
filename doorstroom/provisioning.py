"""`doorstroom broker-definitions`: the RabbitMQ accounts of the chain, as a definitions file
that docker compose loads, generated from the contracts and the services' subscriptions.

- One user per organisation's service. It may publish only to its own exchange, and there only
  its own event types (topic permissions); it reads the exchanges it consumes, and there binds
  only the types it consumes, but may not declare or delete them; its queues and its requeue
  exchange all start with its name, and only those it may configure.
- One user per integrator. It reads no producer's exchange: notifications forwards it the
  facts it is entitled to, while their basis holds for the participant, on an exchange of its
  own (`integrator.<name>`), which notifications may write to (there only those facts and the
  withdrawal of a basis) and the integrator only read. It binds its own queues
  (`integrator-<name>.*`) to that exchange only, and publishes nothing to the chain.
- An operator user (administrator) for `doorstroom status`, `dlq` and `tail`.

The passwords here are for a local chain; change them on any broker that matters
(`rabbitmqctl change_password USER PASSWORD`). `doorstroom up` and the tests make the services'
accounts on a local broker themselves (`import_definitions`), with passwords of their own.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import subprocess
from urllib.parse import quote, urlsplit, urlunsplit

from doorstroom import chain, topology
from doorstroom.generated import write_or_check
from shared.consumer import SERVICE_ACCOUNT
from shared.contracts import all_contracts
from shared.contracts.policy import forwarded_to, integrators
from shared.events import exchange_for, integrator_exchange

DEFINITIONS = chain.PROJECT_ROOT / "docker" / "rabbitmq" / "definitions.json"
VHOST = "/"
OPERATOR = "doorstroom-operator"

# Integrators and the facts each is entitled to, from the chain's privacy policy.
INTEGRATORS = integrators()
# The service that forwards integrators their facts (services/notifications/forwarding.py).
FORWARDER = "notifications"


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
        write = own
        if service == FORWARDER:
            forwarded = integrator_exchanges()
            topics.update({exchange: (_names(*forwarded_to(name)), "^$")
                           for name, exchange in forwarded.items()})
            write = _either(own, _names(*forwarded.values()))
        # Binding to the exchanges it consumes needs read only: it may not declare, change or
        # delete them, nor anything else that is not its own.
        found.append((service_user(service), own, write,
                      _either(own, _names(*consumed)) if consumed else own, topics))
    for name, exchange in integrator_exchanges().items():
        own = _own(integrator_user(name))
        found.append((integrator_user(name), own, own, _either(own, _names(exchange)), {}))
    return found


def integrator_exchanges():
    return {name: integrator_exchange(name) for name in INTEGRATORS}


def password_hash(user, password):
    """RabbitMQ's salted SHA-256 hash; the salt comes from the user name, so the generated file
    is the same on every run."""
    salt = hashlib.sha256(user.encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def account_definitions(vhost, passwords, suffix=""):
    """The users of `passwords` ({user: password}), named with `suffix` (a test's accounts of
    its own), with their permissions in `vhost`, and the chain's exchanges there, as RabbitMQ
    definitions. Without the vhost itself: importing a vhost that exists resets it."""
    users, permissions, topic_permissions = [], [], []
    for user, configure, write, read, topics in [*grants(), (OPERATOR, ".*", ".*", ".*", {})]:
        if user not in passwords:
            continue
        name = f"{user}{suffix}"
        users.append({"name": name, "password_hash": password_hash(name, passwords[user]),
                      "hashing_algorithm": "rabbit_password_hashing_sha256",
                      "tags": ["administrator"] if user == OPERATOR else []})
        permissions.append({"user": name, "vhost": vhost, "configure": configure,
                            "write": write, "read": read})
        for exchange, (topic_write, topic_read) in sorted(topics.items()):
            topic_permissions.append({"user": name, "vhost": vhost, "exchange": exchange,
                                      "write": topic_write, "read": topic_read})
    return {
        "users": users,
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "exchanges": [{"name": exchange, "vhost": vhost, "type": "topic", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}
                      for exchange in [*topology.exchanges(), *integrator_exchanges().values()]],
    }


def build():
    every = [user for user, *_ in grants()] + [OPERATOR]
    found = account_definitions(VHOST, {user: local_password(user) for user in every})
    return {"users": found.pop("users"), "vhosts": [{"name": VHOST}], **found}


def import_definitions(definitions):
    """Create or update what `definitions` holds on the broker of this machine: users keep
    their permissions in other vhosts, and a user whose password is unchanged keeps its
    connections."""
    rabbitmqctl("import_definitions", input=json.dumps(definitions))


def rabbitmqctl(*args, input=None):
    """What `rabbitmqctl ARGS...` printed; it manages the node on this machine (as root or a
    user in the rabbitmq group)."""
    command = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    return subprocess.run([command, *args], input=input, check=True, capture_output=True,
                          text=True, timeout=60).stdout


def account_passwords(secret_file, users):
    """A password for each of `users`, derived from a random secret kept in `secret_file`: made
    once (readable by its owner only), then read; when several runs make it at once, the first
    one's counts. So the passwords stay the same, whoever asks for them."""
    if not secret_file.exists():
        draft = secret_file.with_name(f".{secret_file.name}.{secrets.token_hex(8)}")
        with open(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, secret_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = secret_file.read_bytes()
    return {user: hmac.new(secret, user.encode(), "sha256").hexdigest() for user in users}


def with_account(amqp_uri, user, password):
    """`amqp_uri` (one broker's) logging in as `user`."""
    parts = urlsplit(amqp_uri)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{quote(user, safe='')}:{quote(password, safe='')}@{host}",
                       parts.path, parts.query, parts.fragment))


def render():
    return json.dumps(build(), indent=2) + "\n"


def run(args):
    return write_or_check(DEFINITIONS, render(), "broker-definitions", args.check)
