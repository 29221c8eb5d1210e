"""One service running in this process on the real broker, with its own database and keys,
for API tests that go over real HTTP."""
import json
import re
import socket
import time
from contextlib import contextmanager

import pika
import requests
from nameko.containers import ServiceContainer

from doorstroom.chain import local_organisation
from doorstroom.provisioning import service_user
from doorstroom.up import key_files
from shared import migrations
from shared.events import amqp_headers, new_event
from shared.http import ROLES
from shared.web.people import new_password_hash
from tests.broker import service_uri


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Api:
    """requests against one service, as the holder of a key (one per role, named after it)."""

    def __init__(self, base_url, keys, keys_file):
        self.base_url = base_url
        self.keys = keys
        self.keys_file = keys_file

    def issue_key(self, holder, role, **scope):
        """A new key in the service's keys file, which the service reads again on change."""
        self.keys[holder] = {"role": role, "key": f"test-key-{holder}".ljust(16, "-"), **scope}
        self.keys_file.write_text(json.dumps(self.keys))

    def add_person(self, name, role, password, second_factor=None, **scope):
        """An account of a person who signs in to the pages (shared/web/people.py), with the
        TOTP secret `second_factor` where given."""
        self.keys[name] = {"role": role, "name": name.title(),
                           "password_argon2": new_password_hash(password),
                           **({"totp_secret": second_factor} if second_factor else {}), **scope}
        self.keys_file.write_text(json.dumps(self.keys))

    def call(self, method, path, role=None, body=None, headers=None):
        headers = dict(headers or {})
        if role:
            headers["Authorization"] = f"Bearer {self.keys[role]['key']}"
        return requests.request(method, self.base_url + path, json=body, headers=headers,
                                timeout=10)


def api_keys_file(directory):
    """A keys file with one holder per role, named after it; returns (path, keys)."""
    keys = {role: {"role": role, "key": f"test-key-{role}", **local_organisation(role)}
            for role in ROLES}
    path = directory / "api-keys.json"
    path.write_text(json.dumps(keys))
    return path, keys


def csrf_of(response):
    """The CSRF token of the page's forms."""
    return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)


def sign_in(base_url, name, password, code=None):
    """A person signing in to a service's pages through its forms, as a browser would, with
    their TOTP code where given; returns (their session, its last answer)."""
    session = requests.Session()
    form = session.get(base_url + "/signin")
    answer = session.post(base_url + "/signin", allow_redirects=False, data={
        "name": name, "password": password, "csrf_token": csrf_of(form)})
    if code is not None and answer.status_code == 303:
        page = session.get(base_url + "/signin/code")
        answer = session.post(base_url + "/signin/code", allow_redirects=False, data={
            "code": code, "csrf_token": csrf_of(page)})
    return session, answer


def post_form(session, base_url, path, data, form_at=None):
    """Send a page's form as the browser does, with the token of the page it is on (`form_at`,
    or `path` itself)."""
    page = session.get(base_url + (form_at or path))
    return session.post(base_url + path, allow_redirects=False,
                        data={**data, "csrf_token": csrf_of(page)})


def error_beside(page, field):
    """What the page says beside the form's field, or None."""
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page.text)
    return found and found.group(1)


@contextmanager
def running_service(service_cls, amqp_uri, directory, **config):
    """The service under its own account in the vhost of `amqp_uri`, with the directory's API
    keys and the key file it seals data with (made once, then kept, as `doorstroom up` makes
    it), on a free port unless WEB_SERVER_ADDRESS says where."""
    keys_file, keys = api_keys_file(directory)
    address = config.pop("WEB_SERVER_ADDRESS", f"127.0.0.1:{free_port()}")
    config = {
        "AMQP_URI": service_uri(amqp_uri, service_cls.name),
        "WEB_SERVER_ADDRESS": address,
        "DATABASE_URL": f"sqlite:///{directory / 'service.db'}",
        "API_KEYS_FILE": str(keys_file),
        **key_files(service_cls.name, directory),
        **config,
    }
    # As `doorstroom migrate` does before a service starts.
    migrations.upgrade(service_cls.uow.uow_class.service, config["DATABASE_URL"])
    container = ServiceContainer(service_cls, config)
    container.start()
    try:
        yield Api(f"http://{address}", keys, keys_file)
    finally:
        container.stop()


@contextmanager
def running_intake(amqp_uri, directory, **config):
    """Intake in this process (running_service)."""
    from services.intake.service import IntakeService
    with running_service(IntakeService, amqp_uri, directory, **config) as api:
        yield api


class Producers:
    """Publishes facts as their producers' relays do: each producer's on a channel of its own
    account, with publisher confirms, naming that account in `user_id` (which the broker
    checks), so that consumers take them as that producer's."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.connections = {}
        self.channels = {}

    def publish(self, service, event_type, body, properties=None, mandatory=False):
        if service not in self.channels:
            connection = pika.BlockingConnection(pika.URLParameters(
                service_uri(self.amqp_uri, service)))
            self.connections[service], self.channels[service] = connection, connection.channel()
            self.channels[service].confirm_delivery()
        properties = properties or pika.BasicProperties(content_type="application/json",
                                                        delivery_mode=2)
        properties.user_id = service_user(service)
        self.channels[service].basic_publish(f"{service}.events", event_type, body, properties,
                                             mandatory=mandatory)

    def close(self):
        for connection in self.connections.values():
            connection.close()


class Broker:
    """A test's own connection: it publishes facts as other services would, and hears what the
    watched exchanges publish."""

    def __init__(self, amqp_uri, watched=()):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.seen = []
        self.producers = Producers(amqp_uri)
        for service in watched:
            self.channel.queue_bind(self.queue, f"{service}.events", "#")

    def publish(self, service, event_type, data, body=None):
        """Publish a fact of `service` (or a given raw body) as `service`; returns the body
        sent."""
        body = body or json.dumps(new_event(service, event_type, data,
                                            subject=data.get("participant_id")).to_json())
        self.producers.publish(service, event_type, body)
        return body

    def publish_in_order(self, service, subject, *facts):
        """Publish ordered facts of `service` about `subject`, numbered as their producer would
        (1, 2, …), so that consumers apply them in this order; returns the bodies sent."""
        return [self.publish(service, event_type, data, body=json.dumps(new_event(
                    service, event_type, data, subject=subject, sequence=number).to_json()))
                for number, (event_type, data) in enumerate(facts, start=1)]

    def drain(self):
        """Every fact heard so far."""
        while True:
            method, _, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return self.seen
            self.seen.append(json.loads(body))

    def facts(self, event_type, subject=None, count=1, timeout=10):
        """At least `count` facts of `event_type` (about `subject`), waiting for them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [f for f in self.drain() if f["type"] == event_type
                     and (subject is None or f.get("subject") == subject)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} {event_type} about {subject} "
                                     f"within {timeout}s")
            time.sleep(0.05)

    def close(self):
        self.producers.close()
        self.connection.close()


class Relay:
    """Publishes facts as producers' relays would (Producers): each producer's facts about a
    subject numbered 1, 2, 3 ..."""

    def __init__(self, producers):
        self.producers = producers
        self.numbers = {}

    def publish(self, service, event_type, numbered=True, **data):
        """Publish a fact; `numbered=False` as a producer that numbers nothing would. Returns
        the envelope sent."""
        subject = data["participant_id"]
        key = (service, subject)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        envelope = new_event(service, event_type, data, subject=subject,
                             sequence=self.numbers[key] if numbered else None).to_json()
        self.producers.publish(
            service, event_type, json.dumps(envelope),
            pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                 message_id=envelope["id"], headers=amqp_headers(envelope)))
        return envelope
