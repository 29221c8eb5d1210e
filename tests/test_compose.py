"""docker-compose.yml runs every service as `doorstroom up` does, on a migrated database (no
Docker engine needed)."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from doorstroom.chain import PROJECT_ROOT, SERVICES, container_command
from doorstroom.provisioning import local_password, service_user
from doorstroom.up import KEY_FILES

COMPOSE_FILE = Path(PROJECT_ROOT) / "docker-compose.yml"


def test_every_service_migrates_then_runs_with_the_command_up_uses():
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    for service in SERVICES:
        definition = compose["services"][service]
        assert definition["command"] == container_command(service)
        assert definition["environment"]["DATABASE_URL"].endswith(f"/{service}")
        assert definition["environment"]["AMQP_URI"].startswith(
            f"amqp://{service_user(service)}:{local_password(service_user(service))}@")
        assert "healthcheck" in definition
    assert {"rabbitmq", "postgres"} <= set(compose["services"])


def test_every_key_file_up_makes_is_mounted_next_to_the_compose_file():
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    for service, (setting, name, _) in KEY_FILES.items():
        definition = compose["services"][service]
        assert definition["environment"][setting] == f"/run/secrets/{name}"
        assert f"./{name}:/run/secrets/{name}:ro" in definition["volumes"]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_the_compose_file_is_valid():
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE_FILE), "config", "-q"],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
