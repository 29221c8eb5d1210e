"""How deliveries leave the service: e-mail over SMTP and webhooks over HTTP."""
import hashlib
import hmac
import json
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage

import requests

from services.notifications.domain import RetryPolicy

SIGNATURE_HEADER = "X-Doorstroom-Signature"
TIMESTAMP_HEADER = "X-Doorstroom-Timestamp"
DELIVERY_HEADER = "X-Doorstroom-Delivery"


def signature(secret, timestamp, body: bytes):
    """HMAC-SHA256 over `<timestamp>.<body>`, hex: what a receiver recomputes to verify."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


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


class WebhookSender:
    def __init__(self, timeout_seconds=10):
        self.timeout = timeout_seconds

    def post(self, url, secret, envelope, delivery_id):
        body = json.dumps(envelope, sort_keys=True).encode()
        timestamp = int(time.time())
        response = requests.post(url, data=body, timeout=self.timeout, allow_redirects=False,
                                 headers={"Content-Type": "application/cloudevents+json",
                                          TIMESTAMP_HEADER: str(timestamp),
                                          SIGNATURE_HEADER: signature(secret, timestamp, body),
                                          DELIVERY_HEADER: delivery_id})
        if not 200 <= response.status_code < 300:
            raise DeliveryRefused(f"HTTP {response.status_code} from {url}")


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
            WebhookSender(float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10))),
            RetryPolicy(int(config.get("DELIVERY_MAX_ATTEMPTS", 5)),
                        float(config.get("DELIVERY_RETRY_BASE_SECONDS", 2))),
            str(config.get("WEBHOOK_ALLOW_INSECURE_LOCALHOST", "false")).lower() == "true",
            int(config.get("DIGEST_HOUR", 7)))
