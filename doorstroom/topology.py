"""The chain as the broker sees it: which queues each service consumes from which exchange,
read from the services' own declarations, so operator tools never drift from the code."""
import importlib
from dataclasses import dataclass

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from doorstroom.chain import SERVICES
from shared.consumer import ChainEventHandler, dead_letter_queue_name
from shared.events import exchange_for


@dataclass(frozen=True)
class Subscription:
    service: str
    queue: str
    source: str
    event_types: tuple

    @property
    def retry_queue(self):
        return f"{self.queue}.retry"

    @property
    def held_queue(self):
        return f"{self.queue}.held"


def service_class(service):
    module = importlib.import_module(f"services.{service}.service")
    return getattr(module, SERVICES[service])


def subscriptions(service):
    found = []
    for name in sorted(dir(service_class(service))):
        method = getattr(service_class(service), name)
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, ChainEventHandler):
                found.append(Subscription(service, f"{service}.{name}", entrypoint.source_service,
                                          tuple(entrypoint.event_types)))
    return found


def dead_letter_queue(service):
    return dead_letter_queue_name(service)


def exchanges():
    return [exchange_for(service) for service in SERVICES]
