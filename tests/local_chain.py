"""The whole chain as `doorstroom up` runs it, for the tests that use it from outside: in the
test module's fresh vhost, with a data dir of its own, on fixed ports."""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import requests

from doorstroom import chain
from tests.broker import share_accounts


def environment(amqp_uri, data_dir):
    """What `doorstroom` runs with: the test's vhost, a data dir of its own, quick retries."""
    share_accounts(data_dir)
    return {**os.environ, "AMQP_URI": amqp_uri, "EVENT_RETRY_DELAY_MS": "100",
            "DOORSTROOM_DATA_DIR": str(data_dir)}


def doorstroom(*args, env, port_base):
    return [sys.executable, "-m", "doorstroom.cli", *args, "--port-base", str(port_base),
            "--data-dir", env["DOORSTROOM_DATA_DIR"]]


@contextmanager
def up(env, port_base, *options):
    """`doorstroom up` with `options` (e.g. --postgres URL), until every service is healthy;
    stopped with Ctrl-C afterwards."""
    process = subprocess.Popen(doorstroom("up", *options, env=env, port_base=port_base), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        output.append(line)
        if "Ctrl-C stops the chain" in line or process.poll() is not None:
            break
    assert "doorstroom is up" in "".join(output), "".join(output)
    yield
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0


@contextmanager
def example_integrator(env, directory, *args):
    """examples/integrator.py as the README runs it (with `args`), once it follows its queue;
    yields the file of what it printed."""
    printed = directory / "out.txt"
    with open(printed, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "examples/integrator.py", "--db", str(directory / "seen.db"), *args],
            env=env, cwd=chain.PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while "following" not in printed.read_text():
            assert process.poll() is None and time.monotonic() < deadline, printed.read_text()
            time.sleep(0.1)
        yield printed
        process.terminate()
        process.wait(timeout=10)


def withdraw_every_consent(participant, keys, port_base):
    """The PI withdraws each of the participant's consents; once every service that held data
    for a withdrawn purpose confirmed its erasure, the purposes withdrawn."""
    pi = {"Authorization": f"Bearer {keys['pi-case-manager']['key']}"}
    path = f"{chain.url_of('intake', port_base)}/participants/{participant}"
    consents = requests.get(path, headers=pi, timeout=10).json()["consents"]
    withdrawn = {c["purpose"] for c in consents if c["legal_basis"] == "consent"}
    for purpose in sorted(withdrawn):
        assert requests.delete(f"{path}/consents/{purpose}", headers=pi, timeout=10).ok
    deadline = time.monotonic() + 60
    while True:
        erasure = requests.get(f"{path}/erasure", headers=pi, timeout=10).json()
        if {e["purpose"] for e in erasure if not e["awaited"]} == withdrawn:
            return withdrawn
        assert time.monotonic() < deadline, erasure
        time.sleep(0.2)
