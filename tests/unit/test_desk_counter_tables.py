"""The reply counter in ``desk.js`` carries the GSM-7 tables of `gateway.common.sms_text`
exactly (its behaviour is compared in a real browser by tests/desk/test_report_browser.py;
this catches a table drifting even where no browser runs)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gateway.common import sms_text

JS = (Path(__file__).resolve().parents[2] / "gateway/desk/static/desk.js").read_text("utf-8")


def _literal(name: str) -> object:
    found = re.search(rf"var {name} = (.+?);\n", JS)
    assert found, f"{name} is not in desk.js"
    return json.loads(found.group(1))  # the literals are written as JSON


def test_the_alphabet_and_extension_table_are_the_same():
    basic, extension = _literal("GSM7_BASIC"), _literal("GSM7_EXTENSION")
    assert isinstance(basic, str) and isinstance(extension, str)
    assert set(basic) == sms_text.GSM7_BASIC and len(basic) == len(sms_text.GSM7_BASIC)
    assert set(extension) == sms_text.GSM7_EXTENSION
    assert len(extension) == len(sms_text.GSM7_EXTENSION)


def test_the_clean_up_replacements_are_the_same():
    assert _literal("REPLACEMENTS") == sms_text._REPLACEMENTS


def test_the_segment_sizes_are_the_same():
    sizes = re.search(
        r"var GSM7_SINGLE = (\d+), GSM7_MULTI = (\d+), UCS2_SINGLE = (\d+), "
        r"UCS2_MULTI = (\d+);",
        JS,
    )
    assert sizes, "the segment sizes are not in desk.js"
    assert tuple(map(int, sizes.groups())) == (
        sms_text.GSM7_SINGLE,
        sms_text.GSM7_MULTI,
        sms_text.UCS2_SINGLE,
        sms_text.UCS2_MULTI,
    )
