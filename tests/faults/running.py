"""The chain as production runs it, for fault injection: each of the five services its own
`nameko run` process with the environment `doorstroom up --postgres` gives it (its own fresh
PostgreSQL database, the data dir's API keys, the production worker count, its own broker
account), on the test's own vhost and ports; plus the faults the tests inject and a small PI
case manager's client."""
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
from sqlalchemy import create_engine, text

from doorstroom import chain as topology_chain
from doorstroom import up
from doorstroom.demo import demo_bsn
from tests.broker import close_connections, service_uri
from tests.databases import POSTGRES_URL
from tests.instances import kill_9, restart, start_instance, stop, wait_healthy


def free_port_base():
    """A base B with B+1 .. B+5 free, below the ephemeral range other tests' ports come from,
    and clear of the fixed bases of test_chain_e2e (18000) and test_up_instances (28000)."""
    for _ in range(200):
        base = random.randrange(20000, 32000, 10)
        if 27990 <= base <= 28020:
            continue
        try:
            probes = []
            for offset in range(1, 6):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free port base")


class RunningChain:
    """Five services, one process each, on databases `<prefix><service>`."""

    def __init__(self, amqp_uri, data_dir, server_url=POSTGRES_URL, proxied=()):
        """`proxied` services reach the broker through an AmqpProxy of their own, which the
        test can partition (`self.proxies[service]`)."""
        self.amqp_uri = amqp_uri
        self.proxied = proxied
        self.proxies = {}
        self.data_dir = data_dir
        self.server_url = server_url
        self.prefix = f"doorstroom_faults_{uuid.uuid4().hex[:8]}_"
        self.base = free_port_base()
        self.databases = {}
        self.instances = {}
        self.keys = {}

    # --- life cycle ----------------------------------------------------------------------------

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        self.keys = up.api_keys(self.data_dir)
        self.databases = up.postgres_databases(self.server_url, self.prefix)
        up.migrate_databases(self.databases)
        # All at once, as `doorstroom up` starts them.
        for service in self.proxied:
            self.proxies[service] = AmqpProxy(service_uri(self.amqp_uri, service),
                                              self.data_dir / "logs" / f"{service}-proxy.log")
        for service in topology_chain.SERVICES:
            port = topology_chain.port_of(service, self.base)
            proxy = self.proxies.get(service)
            env = up.service_environment(
                service, self.data_dir, port, self.databases[service],
                proxy.uri if proxy else service_uri(self.amqp_uri, service))
            env.pop("MAX_WORKERS", None)  # the production worker count of config.yaml
            self.instances[service] = start_instance(
                service, port, env, self.data_dir / "logs" / f"{service}.log")
        for instance in self.instances.values():
            wait_healthy(instance)
        return self

    def stop(self):
        stop(list(self.instances.values()))
        for proxy in self.proxies.values():
            proxy.stop()

    def drop_databases(self):
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                for service in topology_chain.SERVICES:
                    connection.execute(text(
                        f'DROP DATABASE IF EXISTS "{self.prefix}{service}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def kill_9(self, service):
        kill_9(self.instances[service])

    def restart(self, *services):
        """Start `services` again, all at once, with the same config, database and port."""
        for service in services:
            restart(self.instances[service], wait=False)
        for service in services:
            wait_healthy(self.instances[service])

    def url(self, service):
        return self.instances[service].url

    def logs(self, tail=4000):
        return "".join(f"\n--- {service}.log (last {tail} characters)\n"
                       f"{instance.log.read_text(errors='replace')[-tail:]}"
                       for service, instance in self.instances.items())

    # --- what the services hold ----------------------------------------------------------------

    def rows(self, service, query, **params):
        engine = create_engine(self.databases[service])
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(query), params)]
        finally:
            engine.dispose()

    def unpublished(self, service):
        return self.rows(service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]

    # --- the demo ------------------------------------------------------------------------------

    def demo(self, participants):
        """`doorstroom demo` against this chain, in a process of its own."""
        return Demo(self, participants)

    def doorstroom(self, *args):
        """A `doorstroom` command against this chain; its CompletedProcess."""
        return subprocess.run(self._command(*args), env={**os.environ, "AMQP_URI": self.amqp_uri},
                              cwd=topology_chain.PROJECT_ROOT, capture_output=True, text=True,
                              timeout=120)

    def _command(self, *args):
        return [sys.executable, "-m", "doorstroom.cli", *args, "--port-base", str(self.base),
                "--data-dir", str(self.data_dir)]


class Demo:
    """`doorstroom demo` running against the chain, its output in the data dir's demo.out."""

    def __init__(self, running, participants):
        self.path = running.data_dir / "demo.out"
        self.out = open(self.path, "w")
        self.process = subprocess.Popen(
            running._command("demo", "--participants", str(participants)),
            env={**os.environ, "AMQP_URI": running.amqp_uri}, cwd=topology_chain.PROJECT_ROOT,
            stdout=self.out, stderr=subprocess.STDOUT, text=True)

    def running(self):
        return self.process.poll() is None

    def finish(self, timeout):
        """Its exit code once it ends, or that it was killed after `timeout` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return f"killed after {timeout}s"
        finally:
            self.out.close()

    def problem(self, code):
        """What went wrong, if the demo did not walk its cohort to work."""
        output = self.path.read_text(errors="replace")
        if code != 0 or "every accepted match became a started placement" not in output:
            return f"the demo failed (exit {code}): {output[-1500:]}"
        return None

    def tail(self):
        return self.path.read_text(errors="replace")[-1500:]


class AmqpProxy:
    """tests/faults/proxy.py in a process of its own, in front of the broker of `amqp_uri`."""

    def __init__(self, amqp_uri, log):
        parts = urlsplit(amqp_uri)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.proxy", parts.hostname or "localhost",
             str(parts.port or 5672)], cwd=topology_chain.PROJECT_ROOT,
            stdout=subprocess.PIPE, stderr=open(log, "ab"), text=True)
        port = int(self._said("listening").split()[1])
        credentials = parts.netloc.rpartition("@")[0]
        self.uri = urlunsplit((parts.scheme, f"{credentials}@127.0.0.1:{port}", parts.path,
                               parts.query, parts.fragment))

    def _said(self, word):
        line = self.process.stdout.readline()
        if not line.startswith(word):
            raise AssertionError(f"the AMQP proxy said {line!r}, not {word!r}")
        return line

    def partition(self):
        """From now on nothing passes between the service and the broker."""
        self.process.send_signal(signal.SIGUSR1)
        self._said("partitioned")

    def heal(self):
        """The partitioned connections are closed; new ones pass."""
        self.process.send_signal(signal.SIGUSR2)
        self._said("healed")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)


# --- faults ------------------------------------------------------------------------------------

def terminate_backends(running):
    """Terminate every PostgreSQL backend connected to the test's own databases (never another
    test's); returns how many were terminated."""
    admin = create_engine(running.server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"),
                {"names": [f"{running.prefix}{s}" for s in topology_chain.SERVICES]}).all())
    finally:
        admin.dispose()


class Saboteur(threading.Thread):
    """Every `interval` seconds, alternately: close the services' AMQP connections in the test's
    vhost, and terminate the services' PostgreSQL backends. Counts what it did."""

    def __init__(self, running, interval=(1.0, 2.0)):
        super().__init__(daemon=True, name="saboteur")
        self.running = running
        self.interval = interval
        self.halt = threading.Event()
        self.counts = {"amqp connection cuts": 0, "amqp connections closed": 0,
                       "database backend kills": 0, "database backends terminated": 0}
        self.errors = []

    def run(self):
        turn = 0
        while not self.halt.wait(random.uniform(*self.interval)):
            try:
                if turn % 2 == 0:
                    self.counts["amqp connections closed"] += close_connections(
                        self.running.amqp_uri)
                    self.counts["amqp connection cuts"] += 1
                else:
                    self.counts["database backends terminated"] += terminate_backends(
                        self.running)
                    self.counts["database backend kills"] += 1
            except Exception as exc:  # a fault that could not be injected is reported
                self.errors.append(repr(exc))
            turn += 1

    def stop(self):
        self.halt.set()
        self.join(timeout=30)

    @property
    def injected(self):
        return self.counts["amqp connection cuts"] + self.counts["database backend kills"]


# --- a PI case manager ---------------------------------------------------------------------------

class CaseManager:
    """Registers, screens, records consent for and admits participants at intake, as the demo
    does, each write with an Idempotency-Key. Keeps the ids it was given."""

    def __init__(self, running):
        self.running = running
        self.http = requests.Session()
        self.admitted = []

    def call(self, method, path, body=None, key=None):
        headers = {"Authorization": f"Bearer {self.running.keys['pi-case-manager']['key']}",
                   "Idempotency-Key": key or str(uuid.uuid4())}
        response = self.http.request(method, f"{self.running.url('intake')}{path}", json=body,
                                     headers=headers, timeout=10)
        if response.status_code not in (200, 201):
            raise AssertionError(f"{method} intake{path} answered {response.status_code}: "
                                 f"{response.text[:300]}")
        return response.json() if response.content else None

    def admit(self, number, today=None, then=None):
        """A participant through intake up to and including `POST .../selection` (admit);
        `then()` runs the moment intake has answered the selection."""
        today = today or date.today()
        registered = self.call("POST", "/participants", {
            "identity": {"name": f"Deelnemer F{number:03d}", "bsn": demo_bsn(),
                         "date_of_birth": str(date(1985, 1, 1) + timedelta(days=53 * number))},
            "target_group": "detainee-last-phase", "institution": "PI Dordtse Poorten",
            "municipality": "0505", "expected_release_date": str(today + timedelta(days=45))})
        path = f"/participants/{registered['id']}"
        self.call("PUT", f"{path}/screening", {
            "motivation": 4,
            "safety": {"cleared": True, "assessed_by": "security officer",
                       "assessed_on": str(today)},
            "language_level": "B1", "skills": ["teamwork", "punctuality"],
            "occupations": ["office-cleaner"], "preferred_sectors": ["cleaning"],
            "hours_per_week": 32, "restrictions": {}, "may_work_outside_from": str(today)})
        for purpose in ("training", "matching", "placement-follow-up"):
            self.call("POST", f"{path}/consents", {"purpose": purpose, "legal_basis": "consent",
                                                   "version": "2026-1"})
        self.call("POST", f"{path}/consents", {"purpose": "inform-municipality",
                                               "legal_basis": "legal-obligation",
                                               "version": "2026-1"})
        self.call("POST", f"{path}/selection", {"decision": "admit"})
        if then is not None:
            then()
        self.admitted.append(registered["id"])
        return registered["id"]


def operator_get(running, service, path):
    key = next(h["key"] for h in running.keys.values() if h["role"] == "operator")
    return requests.get(f"{running.url(service)}{path}", timeout=10,
                        headers={"Authorization": f"Bearer {key}"})
