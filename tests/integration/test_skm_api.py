"""``GET /api/v1/skm/ikm``: the numbers against SKM responses this test makes through SMS, the
USSD survey and `record_skm`; WIB date edges; the service filter; an empty period; input
errors; every role and no token."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.desk_helpers import ROLES, create_staff
from tests.integration.ussd_helpers import Dial
from tests.skm_helpers import (
    WORKED_NRRS,
    around_today,
    at_wib,
    direct_skm,
    make_worked,
    sms_skm,
)

pytestmark = pytest.mark.integration

URL = "/api/v1/skm/ikm"
LABELS = [
    "Persyaratan",
    "Sistem, Mekanisme, dan Prosedur",
    "Waktu Penyelesaian",
    "Biaya/Tarif",
    "Produk Spesifikasi Jenis Pelayanan",
    "Kompetensi Pelaksana",
    "Perilaku Pelaksana",
    "Sarana dan Prasarana",
    "Penanganan Pengaduan, Saran dan Masukan",
]


@pytest.fixture
def tokens(app):
    return {role: create_staff(app, f"{role}.disdik", role) for role in ROLES}


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def get(client, token, **args):
    return client.get(URL, query_string=args, headers=auth(token))


def test_the_worked_example_through_sms_ussd_and_record_skm(client, rt, tokens):
    make_worked(client, rt)
    response = get(client, tokens["viewer"], **around_today())
    assert response.status_code == 200
    assert response.get_json() == {
        "respondents": 4,
        "unsur": [
            {"code": f"U{n}", "label": LABELS[n - 1], "nrr": WORKED_NRRS[n - 1], "answers": 4}
            for n in range(1, 10)
        ],
        "ikm": 79.86,
        "grade": "B",
        "quality": "Baik",
    }


def test_the_service_filter(client, rt, tokens):
    make_worked(client, rt)
    spmb = get(client, tokens["officer"], service="spmb", **around_today()).get_json()
    # the USSD respondent alone: 4 3 3 4 3 4 4 3 3 -> 31/9 x 25 = 86.11
    assert spmb["respondents"] == 1
    assert [u["nrr"] for u in spmb["unsur"]] == [4.0, 3.0, 3.0, 4.0, 3.0, 4.0, 4.0, 3.0, 3.0]
    assert (spmb["ikm"], spmb["grade"], spmb["quality"]) == (86.11, "B", "Baik")
    ijazah = get(client, tokens["officer"], service="ijazah", **around_today()).get_json()
    # 3 3 2 4 3 3 4 3 2 -> 27/9 x 25 = 75.00, below 76.61
    assert (ijazah["respondents"], ijazah["ikm"], ijazah["grade"]) == (1, 75.0, "C")
    assert ijazah["quality"] == "Kurang Baik"
    none = get(client, tokens["officer"], service="pip", **around_today()).get_json()
    assert none["respondents"] == 0 and none["ikm"] is None and "reason" in none


def test_an_incomplete_ussd_survey_counts_for_the_unsur_it_answered(client, rt, tokens):
    sms_skm(client, "444444444", "+6281234500001")
    dropped = Dial(client, "ATUid_drop", phone="+6281234500002")
    dropped.press("5", "2", "2", "3")  # ijazah, U1 = 2, U2 = 3, then the caller hangs up
    dropped.drop("Incomplete")
    body = get(client, tokens["admin"], **around_today()).get_json()
    assert body["respondents"] == 2
    assert [u["answers"] for u in body["unsur"]] == [2, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [u["nrr"] for u in body["unsur"]][:3] == [3.0, 3.5, 4.0]
    # (3 + 3.5 + 4 x 7) / 9 x 25 = 95.83
    assert (body["ikm"], body["grade"], body["quality"]) == (95.83, "A", "Sangat Baik")


def test_only_incomplete_answers_leave_unsur_without_answers_and_no_ikm(client, rt, tokens):
    direct_skm(rt, "34", service="spmb", complete=False)
    body = get(client, tokens["viewer"], **around_today()).get_json()
    assert body["respondents"] == 1 and body["ikm"] is None
    assert body["grade"] is None and body["quality"] is None
    assert body["reason"].startswith("no answers yet for U3, U4, U5, U6, U7, U8, U9")
    assert body["unsur"][0] == {"code": "U1", "label": "Persyaratan", "nrr": 3.0, "answers": 1}
    assert body["unsur"][2]["nrr"] is None and body["unsur"][2]["answers"] == 0


def test_days_are_wib_and_both_ends_count(client, rt, tokens):
    moments = {
        "before": datetime(2026, 9, 30, 23, 59),  # WIB: the day before `from`
        "first": datetime(2026, 10, 1, 0, 0),  # 00:00 WIB on `from` (30 Sep 17:00 UTC)
        "last": datetime(2026, 12, 31, 23, 30),  # 23:30 WIB on `to` (16:30 UTC)
        "after": datetime(2027, 1, 1, 0, 10),  # 00:10 WIB the next day (31 Dec 17:10 UTC)
    }
    answers = {"before": "111111111", "first": "444444444", "last": "333333333", "after": "1"}
    for name, moment in moments.items():
        at_wib(rt, direct_skm(rt, answers[name]), moment)
    body = get(client, tokens["viewer"], **{"from": "2026-10-01", "to": "2026-12-31"}).get_json()
    assert body["respondents"] == 2 and body["ikm"] == 87.5  # (4 + 3) / 2 x 25
    last_day = get(client, tokens["viewer"], **{"from": "2026-12-31", "to": "2026-12-31"})
    assert last_day.get_json()["respondents"] == 1 and last_day.get_json()["ikm"] == 75.0
    next_day = get(client, tokens["viewer"], **{"from": "2027-01-01", "to": "2027-01-01"})
    assert next_day.get_json()["respondents"] == 1


def test_an_empty_period_has_no_ikm_and_says_why(client, rt, tokens):
    make_worked(client, rt)
    response = get(client, tokens["viewer"], **{"from": "2020-01-01", "to": "2020-03-31"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["respondents"] == 0
    assert (body["ikm"], body["grade"], body["quality"]) == (None, None, None)
    assert "no SKM responses" in body["reason"]
    assert [u["code"] for u in body["unsur"]] == [f"U{n}" for n in range(1, 10)]
    assert all(u["nrr"] is None and u["answers"] == 0 for u in body["unsur"])


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        ({}, {"from", "to"}),
        ({"from": "2026-10-01"}, {"to"}),
        ({"from": "2026-13-01", "to": "2026-12-31"}, {"from"}),
        ({"from": "2026/10/01", "to": "2026-12-31"}, {"from"}),
        ({"from": "2026-10-01", "to": "31-12-2026"}, {"to"}),
        ({"from": "2026-10-1", "to": "2026-12-31"}, {"from"}),
        ({"from": "0001-01-01", "to": "2026-12-31"}, {"from"}),
        ({"from": "2026-12-31", "to": "2026-10-01"}, {"to"}),
        ({"from": "2026-10-01", "to": "2026-12-31", "service": "sekolah"}, {"service"}),
    ],
)
def test_bad_input_is_400_naming_the_field(client, tokens, args, errors):
    response = get(client, tokens["viewer"], **args)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == errors


def test_from_after_to_and_an_unknown_service_say_what_is_allowed(client, tokens):
    body = get(
        client, tokens["viewer"], **{"from": "2026-12-31", "to": "2026-10-01", "service": "x"}
    ).get_json()
    assert body["errors"]["to"] == "must be the same day as from or later"
    assert body["errors"]["service"].startswith("unknown service; one of spmb, ijazah")


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_every_role_may_read(client, tokens, role):
    assert get(client, tokens[role], **around_today()).status_code == 200


def test_no_token_or_a_bad_one_is_401(client, tokens):
    assert client.get(URL, query_string=around_today()).status_code == 401
    bad = get(client, "not-a-token", **around_today())
    assert bad.status_code == 401 and bad.get_json()["error"] == "Unauthorized"


def test_bad_tokens_count_towards_the_staff_api_limit(client, tokens):
    codes = [get(client, "not-a-token", **around_today()).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
