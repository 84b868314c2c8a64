"""Every command the README shows runs as written (issue 16): `make run` is started and
stopped with Ctrl-C, the two `curl`s are sent to it, the staff command is run; the `make`
targets CI runs itself must be in `.ci/run`; every `suara …` command named in the README or
`docs/` exists (its `--help` answers). A doc that drifts from the code fails here."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import click
import pytest

from gateway.config import PROJECT_ROOT
from tests.integration.ussd_helpers import free_port

pytestmark = pytest.mark.integration

README = (PROJECT_ROOT / "README.md").read_text()
CI = (PROJECT_ROOT / ".ci" / "run").read_text()
RUN_BY_CI = ("make test", "make test-sqlite", "make lint typecheck")


def shell_commands(markdown: str) -> list[str]:
    """The commands of the ```sh blocks: continuation lines joined, comments dropped."""
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #")[0].strip() if not line.startswith("#") else ""
            if line:
                commands.append(line)
    return commands


def suara_commands(markdown: str) -> set[str]:
    """`suara <group> <command>` as named in prose, e.g. `.venv/bin/suara poll …`."""
    found = re.findall(r"(?:bin/|`|exec web )suara((?: [a-z][a-z-]*){0,2})", markdown)
    return {words.strip() for words in found}


def test_the_readme_shows_its_commands():
    commands = shell_commands(README)
    assert "make run" in commands and "make test" in commands
    assert sum(c.startswith("curl ") for c in commands) == 2


def test_make_targets_of_the_readme_that_ci_runs_are_in_ci():
    for command in shell_commands(README):
        if command.startswith("make test") or command.startswith("make lint"):
            assert command in RUN_BY_CI, command
            assert command in CI, command


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status)
    except OSError:
        return 0


def test_every_readme_command_runs_as_written(tmp_path: Path, redis_url: str):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("WEBHOOK_TOKEN", "SUARA_ENV")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    commands = [c for c in shell_commands(README) if c not in RUN_BY_CI]
    assert commands[0] == "make run"
    server = subprocess.Popen(
        ["bash", "-c", "make run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/healthz") != 200:
            assert server.poll() is None, server.communicate()[0]
            assert time.monotonic() < deadline, "make run did not come up"
            time.sleep(0.3)
        for command in commands[1:]:
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command.replace(":8000", f":{port}")],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            assert "setup plugin" not in done.stderr  # no Alembic chatter
            if "/ussd" in command:
                assert done.stdout.startswith("CON Suara Disdik Labura"), done.stdout
            if "/sms" in command:
                assert done.stdout.strip() == "OK", done.stdout
            if "staff create" in command:
                assert "created staff account" in done.stdout
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C
        out, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert "suara: stopped" in out, out
    assert "Error" not in out and "setup plugin" not in out, out


DOCS = ["README.md", *sorted(f"docs/{p.name}" for p in (PROJECT_ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("source", DOCS)
def test_every_suara_command_named_in_the_docs_exists(app, source):
    """Resolved through the app's command tree (what `suara` runs), without a process each."""
    named = suara_commands((PROJECT_ROOT / source).read_text())
    with app.app_context():
        ctx = click.Context(app.cli)
        for words in sorted(named):
            command: click.Command | None = app.cli
            for word in words.split():
                assert isinstance(command, click.Group), (source, words)
                command = command.get_command(ctx, word)
                assert command is not None, (source, words)


def test_the_console_script_answers():
    suara = PROJECT_ROOT / ".venv" / "bin" / "suara"
    done = subprocess.run(
        [str(suara), "staff", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "create" in done.stdout, done.stderr
