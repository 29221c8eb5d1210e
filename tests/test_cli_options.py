"""One style for the command line: every operator's command takes where the local chain is
(`--data-dir`, `--port-base`) and `--json`, so one pair of options fits them all; a failure is
one line on stderr and a non-zero exit, not a traceback."""
import os
import subprocess
import sys

import pytest

from doorstroom import chain
from doorstroom.cli import OPERATOR_COMMANDS, parser_of_commands

PARTICIPANT = "0b6f8f7e-2a1d-4c3b-9e8f-7a6b5c4d3e2f"
# What each operator's command needs besides the options, to be a whole command.
ARGUMENTS = {
    "status": [], "trace": [PARTICIPANT], "audit": ["verify"], "outbox": ["retry", "training"],
    "migrate": ["--check"], "tail": [], "dlq": ["list", "training"],
    "run-check": ["placement", "milestones"], "keys": ["list"],
}


def test_every_operator_command_is_in_the_table():
    assert set(ARGUMENTS) == set(OPERATOR_COMMANDS)


@pytest.mark.parametrize("command", OPERATOR_COMMANDS)
def test_every_operator_command_takes_the_data_dir_the_port_base_and_json(command):
    parser, _ = parser_of_commands()
    args = parser.parse_args([command, *ARGUMENTS[command], "--data-dir", "/srv/doorstroom",
                              "--port-base", "18000", "--json"])
    assert (args.data_dir, args.port_base, args.json) == ("/srv/doorstroom", 18000, True)


@pytest.mark.parametrize("command", ["up", "demo"])
def test_up_and_the_demo_take_the_data_dir_and_the_port_base(command):
    parser, _ = parser_of_commands()
    args = parser.parse_args([command, "--data-dir", "/srv/doorstroom", "--port-base", "18000"])
    assert (args.data_dir, args.port_base) == ("/srv/doorstroom", 18000)


def test_a_failure_is_one_line_on_stderr_and_a_non_zero_exit(tmp_path):
    """`dlq list` where no broker answers (a port nothing listens on)."""
    env = {**os.environ, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    done = subprocess.run([sys.executable, "-m", "doorstroom.cli", "dlq", "list", "training",
                           "--data-dir", str(tmp_path), "--port-base", "18000"],
                          cwd=chain.PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("doorstroom dlq: BrokerUnreachable: no RabbitMQ broker lets us in "
                           "at 127.0.0.1:1"), line
