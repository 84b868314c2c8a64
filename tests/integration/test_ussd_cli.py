"""The operator commands: menus check, consultation add/list, ussd simulate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gateway.models import Consultation, Feedback, OutboundMessage
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def test_menus_check_passes_on_the_shipped_tree(app):
    result = app.test_cli_runner().invoke(args=["menus", "check"])
    assert result.exit_code == 0, result.output
    assert "menu tree OK" in result.output


def test_menus_check_fails_on_a_broken_tree_and_names_the_screens(app):
    broken = str(FIXTURES / "broken_tree.yaml")
    result = app.test_cli_runner().invoke(args=["menus", "check", "--tree", broken])
    assert result.exit_code != 0
    assert "main: target 'lapor.nowhere' does not exist" in result.output
    assert "saran.text: unknown validator 'no_such_validator'" in result.output
    assert "orphan: not reachable" in result.output


def test_consultation_add_stores_utc_and_list_shows_wib(app, rt):
    runner = app.test_cli_runner()
    args = ["consultation", "add", "--code", "k25", "--title", "Juknis SPMB"]
    args += ["--place", "Aula Disdik", "--starts", "2026-12-10 09:00"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with rt.sessions() as s:
        row = s.scalar(select(Consultation))
        assert row is not None and row.code == "K25"
        assert row.starts_at == datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    listed = runner.invoke(args=["consultation", "list"])
    assert "K25\t2026-12-10 09:00 WIB\tJuknis SPMB\tAula Disdik" in listed.output
    assert runner.invoke(args=args).exit_code != 0  # the same code twice


def test_consultation_add_refuses_a_bad_time(app):
    args = ["consultation", "add", "--code", "K1", "--title", "T", "--place", "P"]
    result = app.test_cli_runner().invoke(args=[*args, "--starts", "10/12/2026"])
    assert result.exit_code != 0 and "YYYY-MM-DD HH:MM" in result.output


def test_simulate_walks_a_suggestion_and_really_files_it(app, rt):
    script = "2\nGuru kelas 2 sering terlambat datang\n1\n"
    result = app.test_cli_runner().invoke(
        args=["ussd", "simulate", "--phone", "0812 1111 2222"], input=script
    )
    assert result.exit_code == 0, result.output
    assert "CON Suara Disdik Labura" in result.output and "chars]" in result.output
    assert "END Terima kasih atas saran Anda. Nomor tiket " in result.output
    assert "FileFeedback done" in result.output
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb is not None and fb.channel == "ussd" and fb.kind == "suggestion"
        assert s.scalar(select(OutboundMessage.to)) == "+6281211112222"


def test_simulate_hangs_up_on_empty_input(app):
    result = app.test_cli_runner().invoke(args=["ussd", "simulate"], input="4\n\n")
    assert result.exit_code == 0 and "(hung up)" in result.output


def test_simulate_hangs_up_at_the_end_of_input_as_its_help_says(app):
    result = app.test_cli_runner().invoke(args=["ussd", "simulate"], input="4")  # no newline
    assert result.exit_code == 0, result.output
    assert "(hung up)" in result.output and "Aborted" not in result.output
