"""The shipped deployment files keep their promises: production settings, the web port on
loopback, Redis behind a password, installs from a hashed lock that covers pyproject.toml,
and a pinned base image."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from gateway.config import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
APP_SERVICES = ("web", "worker")


def test_compose_runs_the_production_settings_with_the_web_port_on_loopback():
    services = COMPOSE["services"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["SUARA_ENV"] == "production"
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert published == ["127.0.0.1:8000:8000"]


def test_compose_redis_requires_the_password_the_app_connects_with():
    services = COMPOSE["services"]
    command = services["redis"]["command"]
    password = command[command.index("--requirepass") + 1]
    assert password.startswith("${REDIS_PASSWORD:?")  # compose refuses to start without it
    for name in APP_SERVICES:
        assert services[name]["environment"]["REDIS_URL"].startswith(f"redis://:{password}@")


def test_the_image_is_pinned_runs_production_and_installs_the_hashed_lock():
    assert re.search(
        r"^FROM python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$", DOCKERFILE, re.M
    )
    assert re.search(r"^ENV .*\bSUARA_ENV=production\b", DOCKERFILE, re.M | re.S)
    assert "pip install --require-hashes -r requirements.lock" in DOCKERFILE
    assert "pip install --no-deps" in DOCKERFILE


def test_make_installs_the_hashed_dev_lock():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile


def locked(name: str) -> dict[str, str]:
    """Package name -> pinned version, of a lock file where every pin carries hashes."""
    text = (PROJECT_ROOT / name).read_text()
    pins = re.findall(
        r"^([A-Za-z0-9._-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+)", text, re.M
    )
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9]", text, re.M)), "a pin without a hash"
    return {canonicalize_name(name): version for name, version, _hashes in pins}


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))]
)
def test_each_lock_pins_every_declared_dependency_within_its_range(lock, extras):
    """A dependency added to pyproject.toml without `make lock` would be missing on a fresh
    machine and in the image."""
    pins = locked(lock)
    project = PYPROJECT["project"]
    declared = list(project["dependencies"])
    declared += [dep for extra in extras for dep in project["optional-dependencies"][extra]]
    declared += PYPROJECT["build-system"]["requires"]
    for spec in map(Requirement, declared):
        name = canonicalize_name(spec.name)
        assert name in pins, f"{spec.name} is not in {lock}: run make lock"
        assert spec.specifier.contains(pins[name], prereleases=True), (lock, str(spec))
