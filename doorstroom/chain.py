"""The five services of the chain, where they listen and how each is started."""
import os
from pathlib import Path

import services

SERVICES = {
    "intake": "IntakeService",
    "training": "TrainingService",
    "matching": "MatchingService",
    "placement": "PlacementService",
    "notifications": "NotificationsService",
}
# Local keys, one per role: where the chain has many organisations of a kind, the key speaks for
# one of them (Dordrecht, where the demo's participants return).
LOCAL_ORGANISATIONS = {"municipality-caseworker": "municipality:0505"}
DEFAULT_PORT_BASE = 8000
DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"
# The directory that holds the `services` package: services start from here, locally and in
# their containers, so their config paths are the same everywhere.
PROJECT_ROOT = Path(services.__file__).resolve().parent.parent


def local_organisation(role):
    """What a local key of `role` says about its organisation, as a keys file entry's fields."""
    return {"organisation": LOCAL_ORGANISATIONS[role]} if role in LOCAL_ORGANISATIONS else {}


def amqp_uri():
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def port_base(override=None):
    return int(override or os.environ.get("DOORSTROOM_PORT_BASE", DEFAULT_PORT_BASE))


def port_of(service, base=None):
    return port_base(base) + 1 + list(SERVICES).index(service)


def url_of(service, base=None):
    return f"http://127.0.0.1:{port_of(service, base)}"


def data_dir(override=None):
    return Path(override or os.environ.get("DOORSTROOM_DATA_DIR", "var")).resolve()


def service_command(service):
    """How a service runs, as `nameko run` runs it in production (and in docker-compose.yml)."""
    return ["nameko", "run", "--config", f"services/{service}/config.yaml",
            f"services.{service}.service:{SERVICES[service]}"]


def container_command(service):
    """How a container runs a service (docker-compose.yml): its database brought to this
    release's schema first, as `doorstroom up` does for the local chain."""
    return ["sh", "-c", f"doorstroom migrate {service} && exec {' '.join(service_command(service))}"]
