"""Instances of one service as production runs them: separate `nameko run` processes on one
database and one broker, with the production worker count unless a test says otherwise."""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import requests
from sqlalchemy import create_engine, text

from doorstroom import chain
from doorstroom.up import key_files
from shared import migrations
from tests.broker import service_uri
from tests.harness import api_keys_file, free_port

# MAX_WORKERS=16 runs the same tests with more concurrency (issue: order and scale-out).
WORKERS = os.environ.get("MAX_WORKERS", "4")


class Instance:
    def __init__(self, service, port, env, log):
        self.service = service
        self.process = None
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        # What starts it, so that restart() starts it again alike.
        self.command = [os.path.join(os.path.dirname(sys.executable), "nameko"),
                        *chain.service_command(service)[1:]]
        self.env = env

    def healthy(self):
        try:
            return requests.get(f"{self.url}/health", timeout=2).ok
        except requests.RequestException:
            return False


@contextmanager
def instances(service, count, amqp_uri, database_url, directory, together=False, **config):
    """`count` processes of `service` under its own account in the vhost of `amqp_uri`, healthy
    when this yields them; stopped afterwards. They start one after another, or all at once
    `together`."""
    directory.mkdir(parents=True, exist_ok=True)
    keys_file, _ = api_keys_file(directory)
    migrations.upgrade(service, database_url)
    started = []
    try:
        for number in range(1, count + 1):
            port = free_port()
            log = directory / f"{service}-{number}.log"
            env = {**os.environ, "AMQP_URI": service_uri(amqp_uri, service),
                   "DATABASE_URL": database_url,
                   "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}", "API_KEYS_FILE": str(keys_file),
                   "MAX_WORKERS": WORKERS, "OUTBOX_SWEEP_SECONDS": "0.2",
                   **key_files(service, directory),
                   **{name: str(value) for name, value in config.items()}}
            started.append(start_instance(service, port, env, log))
            if not together:
                wait_healthy(started[-1])
        for instance in started:
            wait_healthy(instance)
        yield started
    finally:
        stop(started)


def wait_healthy(instance, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise AssertionError(f"{instance.service} exited: {instance.log.read_text()[-3000:]}")
        if instance.healthy():
            return
        time.sleep(0.2)
    raise AssertionError(f"{instance.service} not healthy in {timeout}s")


def stop(started):
    """SIGTERM each process this test started, then kill what is still running."""
    for instance in started:
        if instance.process.poll() is None:
            instance.process.send_signal(signal.SIGTERM)
    for instance in started:
        try:
            instance.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait()


def rows(url, query):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def queue_depth(channel, *queues):
    return sum(channel.queue_declare(queue, passive=True).method.message_count for queue in queues)


def wait_until(condition, timeout=120, quiet=2.0):
    """Until `condition` holds, and still holds `quiet` seconds later."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            time.sleep(quiet)
            if condition():
                return
        time.sleep(0.3)
    raise AssertionError(f"not settled within {timeout}s")


def drained(channel, *queues):
    """Whether the consumers' queues, with their held and retry queues, are empty."""
    names = [name for queue in queues for name in (queue, f"{queue}.held", f"{queue}.retry")]
    return lambda: queue_depth(channel, *names) == 0


def start_instance(service, port, env, log):
    """One `nameko run` process of `service` with exactly `env`, its output appended to `log`;
    not waited for (wait_healthy)."""
    instance = Instance(service, port, env, log)
    _spawn(instance)
    return instance


def _spawn(instance):
    with open(instance.log, "ab") as out:
        instance.process = subprocess.Popen(instance.command, cwd=chain.PROJECT_ROOT,
                                            env=instance.env, stdout=out,
                                            stderr=subprocess.STDOUT)


def kill_9(instance):
    """SIGKILL the process of this instance (started by this test) and reap it."""
    if instance.process.poll() is None:
        instance.process.send_signal(signal.SIGKILL)
    instance.process.wait(timeout=30)
    with open(instance.log, "ab") as out:
        out.write(f"\n--- killed with SIGKILL by the test (pid {instance.process.pid})\n".encode())


def restart(instance, wait=True, timeout=60):
    """Start the instance again with the same command, config, database and port (stopping it
    first if it still runs); healthy when this returns, unless not `wait`."""
    if instance.process is not None and instance.process.poll() is None:
        stop([instance])
    with open(instance.log, "ab") as out:
        out.write(b"\n--- restarted by the test\n")
    _spawn(instance)
    if wait:
        wait_healthy(instance, timeout)
    return instance
