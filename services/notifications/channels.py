"""How deliveries leave the service: e-mail over SMTP and webhooks over HTTP."""
import hashlib
import hmac
import ipaddress
import json
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import certifi
import urllib3

from services.notifications.domain import RetryPolicy
from shared.sealing import read_key_file

SIGNATURE_HEADER = "X-Doorstroom-Signature"
TIMESTAMP_HEADER = "X-Doorstroom-Timestamp"
DELIVERY_HEADER = "X-Doorstroom-Delivery"


def signature(secret, timestamp, delivery_id, body: bytes):
    """HMAC-SHA256 over `<timestamp>.<delivery id>.<body>`, hex: what a receiver recomputes to
    verify, so that it may trust the delivery id it deduplicates on as well as the body
    (test_a_webhook_signs_its_timestamp_delivery_id_and_body)."""
    message = f"{timestamp}.{delivery_id}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookSecrets:
    """Webhook signing secrets, sealed at rest with the keys in WEBHOOK_SECRET_KEYS_FILE
    (shared/sealing.py), so that the database never holds one readable
    (test_the_database_holds_no_readable_signing_secret)."""

    def __init__(self, sealer):
        self._sealer = sealer

    @classmethod
    def from_file(cls, path):
        return cls(read_key_file(path, "webhook-keys"))

    @classmethod
    def from_config(cls, config):
        return cls.from_file(config["WEBHOOK_SECRET_KEYS_FILE"])

    def issue(self):
        """A new secret, and its sealed form to store."""
        secret = secrets.token_urlsafe(32)
        return secret, self.seal(secret)

    def seal(self, secret):
        return self._sealer.seal(secret.encode()).decode()

    def open(self, sealed):
        return self._sealer.open(sealed.encode()).decode()


class EmailSender:
    def __init__(self, host, port, sender):
        self.host, self.port, self.sender = host, port, sender

    def send(self, to, subject, text):
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)


# How much of a receiver's answer is read: its status is all that counts.
MAX_ANSWER_BYTES = 4096


class WebhookSender:
    """POSTs a signed fact to a webhook, only ever to a public address: the host is resolved
    and every address it has checked, at registration and at each delivery, and the connection
    goes to the address that was checked (no second lookup, no redirects). Where allowed, plain
    http to this machine serves development
    (services/notifications/tests/test_webhook_targets.py)."""

    def __init__(self, timeout_seconds=10, allow_insecure_localhost=False,
                 resolve=socket.getaddrinfo):
        self.timeout = timeout_seconds
        self.allow_insecure_localhost = allow_insecure_localhost
        self.resolve = resolve

    def address_of(self, url):
        """The checked address to connect to for `url`; raises NotPublic."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            found = {info[4][0] for info in self.resolve(parts.hostname, port,
                                                         proto=socket.IPPROTO_TCP)}
        except (socket.gaierror, UnicodeError) as exc:
            raise NotPublic(f"the host {parts.hostname!r} cannot be resolved") from exc
        addresses = [ipaddress.ip_address(found_address.split("%")[0])
                     for found_address in sorted(found)]
        development = (self.allow_insecure_localhost and parts.scheme == "http"
                       and parts.hostname in LOCAL_HOSTS)
        allowed = _loopback if development else _public
        if not addresses or not all(allowed(address) for address in addresses):
            raise NotPublic(f"the host {parts.hostname!r} is not a public address")
        return str(addresses[0])

    def post(self, url, secret, envelope, delivery_id):
        try:
            address = self.address_of(url)
        except NotPublic as exc:
            raise DeliveryRefused(f"delivery failed: {exc}") from exc
        body = json.dumps(envelope, sort_keys=True).encode()
        timestamp = int(time.time())
        parts = urlsplit(url)
        headers = {"Host": parts.netloc.rpartition("@")[2],
                   "Content-Type": "application/cloudevents+json",
                   TIMESTAMP_HEADER: str(timestamp),
                   SIGNATURE_HEADER: signature(secret, timestamp, delivery_id, body),
                   DELIVERY_HEADER: delivery_id}
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, parts.port or 443, timeout=timeout, retries=False,
                server_hostname=parts.hostname, assert_hostname=parts.hostname,
                cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
        else:
            pool = urllib3.HTTPConnectionPool(address, parts.port or 80, timeout=timeout,
                                              retries=False)
        path = parts.path or "/"
        try:
            response = pool.urlopen("POST", f"{path}?{parts.query}" if parts.query else path,
                                    body=body, headers=headers, redirect=False,
                                    preload_content=False)
            response.read(MAX_ANSWER_BYTES)
            response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            # Said alike for a closed port, a silent one and a bad certificate, so that the
            # delivery log maps no network.
            raise DeliveryRefused("delivery failed: no answer") from exc
        finally:
            pool.close()
        if not 200 <= response.status < 300:
            raise DeliveryRefused(f"delivery failed: HTTP {response.status}")


class NotPublic(Exception):
    """A webhook's host that resolves to no address, or to one inside a network."""


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _loopback(address):
    return address.is_loopback


def _public(address):
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved
                                      or address.is_unspecified)


class DeliveryRefused(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    email: EmailSender
    webhooks: WebhookSender
    policy: RetryPolicy
    allow_insecure_localhost: bool
    digest_hour: int

    @classmethod
    def from_config(cls, config):
        return cls(
            EmailSender(config.get("SMTP_HOST", "localhost"), int(config.get("SMTP_PORT", 25)),
                        config.get("MAIL_FROM", "doorstroom@localhost")),
            WebhookSender(float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
                          _allows_insecure_localhost(config)),
            RetryPolicy(int(config.get("DELIVERY_MAX_ATTEMPTS", 5)),
                        float(config.get("DELIVERY_RETRY_BASE_SECONDS", 2))),
            _allows_insecure_localhost(config),
            int(config.get("DIGEST_HOUR", 7)))


def _allows_insecure_localhost(config):
    return str(config.get("WEBHOOK_ALLOW_INSECURE_LOCALHOST", "false")).lower() == "true"
