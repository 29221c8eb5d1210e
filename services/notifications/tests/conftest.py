"""Fixtures for notifications' tests: a webhook receiver and a real SMTP server."""
from services.notifications.tests.receivers import receiver, smtp  # noqa: F401
