"""The first hour of a newcomer (issue 16), each trap as a test: a venv on the wrong Python is
rebuilt, a too-old Python is named with the way out, and the tests without PostgreSQL or Redis
end in one line that says what is missing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.config import PROJECT_ROOT
from tests.integration.ussd_helpers import free_port

pytestmark = pytest.mark.integration

FAKE_310 = """#!/bin/sh
case "$*" in
  *platform*) echo 3.10.12 ;;
  *) exit 1 ;;
esac
"""


def fake_python(where: Path) -> Path:
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(FAKE_310)
    where.chmod(where.stat().st_mode | stat.S_IEXEC)
    return where


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_too_old_python_is_named_with_the_way_out(tmp_path):
    old = fake_python(tmp_path / "python3.10")
    done = make("venv", f"PY={old}", f"VENV={tmp_path / 'venv'}")
    assert done.returncode != 0
    assert "is Python 3.10.12; Suara needs 3.11 or newer" in done.stdout
    assert "make run PY=python3.11" in done.stdout
    assert not (tmp_path / "venv").exists()


def test_a_venv_left_on_an_old_python_is_rebuilt_saying_so(tmp_path):
    venv = tmp_path / "venv"
    fake_python(venv / "bin" / "python")
    done = make("venv", f"PY={sys.executable}", f"VENV={venv}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{venv} has Python 3.10.12; rebuilding it" in done.stdout
    check = subprocess.run(
        [venv / "bin" / "python", "-c", "import sys; print(sys.version_info >= (3, 11))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "True"


def _pytest_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/outbox"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        (
            {"TEST_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"},
            "PostgreSQL is not reachable",
        ),
        ({"TEST_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, "Redis is not reachable"),
    ],
    ids=["no-postgresql", "no-redis"],
)
def test_the_tests_without_a_service_end_in_one_line_naming_it(env, missing):
    done = _pytest_with(env)
    assert done.returncode == 3
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert missing in lines[-1] and "Traceback" not in done.stdout
    if "PostgreSQL" in missing:
        assert "make test-sqlite" in lines[-1]
