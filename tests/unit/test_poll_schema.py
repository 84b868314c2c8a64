"""Staff poll input: field-level errors, options as text or objects, zones required."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway.errors import InvalidInput
from gateway.staff.poll_schema import parse_poll


def errors_of(data):
    with pytest.raises(InvalidInput) as info:
        parse_poll(data)
    return info.value.errors


def test_a_full_poll_is_parsed():
    later = datetime.now(UTC) + timedelta(days=1)
    spec = parse_poll(
        {
            "question": " Setuju? ",
            "options": ["Ya", {"label": "Tidak", "synonyms": ["belum", " "]}],
            "audience": {"kecamatan": ["Aek Kuo"], "role": []},
            "send_at": None,
            "close_at": later.isoformat(),
            "reminder_after_hours": 24,
        }
    )
    assert spec.question == "Setuju?"
    assert [o.label for o in spec.options] == ["Ya", "Tidak"]
    assert spec.options[1].synonyms == ("belum",)
    assert spec.kecamatan == ("Aek Kuo",) and spec.roles == ()
    assert spec.close_at == later and spec.reminder_after_hours == 24


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"options": ["a", "b"]}, "question"),
        ({"question": "q", "options": ["a"]}, "options"),
        ({"question": "q", "options": [str(i) for i in range(10)]}, "options"),
        ({"question": "q", "options": ["a", "A"]}, "options"),
        ({"question": "q", "options": ["a", 3]}, "options[1]"),
        (
            {"question": "q", "options": ["a", {"label": "b", "synonyms": "c"}]},
            "options[1].synonyms",
        ),
        ({"question": "q", "options": ["a", "b"], "audience": {"role": "guru"}}, "audience.role"),
        ({"question": "q", "options": ["a", "b"], "send_at": "2026-12-01T09:00"}, "send_at"),
        ({"question": "q", "options": ["a", "b"], "close_at": "2020-01-01T00:00Z"}, "close_at"),
        (
            {"question": "q", "options": ["a", "b"], "reminder_after_hours": True},
            "reminder_after_hours",
        ),
    ],
)
def test_each_faulty_field_is_named(data, field):
    assert field in errors_of(data)


def test_not_an_object():
    assert errors_of(["x"]) == {"body": "expected a JSON object"}
