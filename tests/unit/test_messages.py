import pytest

from gateway.common import texts
from gateway.common.sms_text import count_segments, is_gsm7

# Realistic, long-ish values for every field a catalogue entry may use.
FIELDS = {
    "ticket": "1234567",
    "named": "7654321",
    "options": "1 (Sangat setuju), 2 (Setuju sebagian) atau 3 (Tidak setuju sama sekali)",
    "choices": "LAPOR atau SARAN",
    "first": "LAPOR",
    "where": "Kec. Kualuh Leidong, orang tua",
    "topic": "MUTASI",
    "status": texts.STATUS_LABELS["received"]["id"],
    "date": "28-11-2026 13:04",
    "code": "MUSREN01",
    "place": "Aula SMPN 1 Aek Kanopan",
    "reports": 12,
    "messages": 140,
    "subscribed": "tidak",
    "kecamatan": "Kualuh Leidong",
    "request": 10234,
    "label": "Sangat setuju sekali",
    "title": "Musrenbang Pendidikan 2027",
    "when": "30 Des 09.00",
    "phone": "+6281******890",
    "language_name": "Indonesian",
    "role": "masyarakat umum",
    "consent": "PDP-2026-1 28-11-2026 USSD",
    "last_report": "28-11-2026",
    "last_message": "28-11-2026",
    "sessions": 140,
}


@pytest.mark.parametrize("key", sorted(texts.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sms_text_is_gsm7_and_one_segment(key, language):
    text = texts.render(key, language, **FIELDS)
    assert is_gsm7(text)
    assert count_segments(text) == 1, (key, language, len(text))


@pytest.mark.parametrize("key", sorted(texts.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_titles_and_places_are_cut_to_keep_one_segment(key, language):
    fields = {**FIELDS, "title": "T" * 120, "place": "P" * 120, "code": "K" * 12}
    fields["options"] = "O" * 200
    text = texts.render(key, language, **fields)
    assert is_gsm7(text)
    assert count_segments(text) == 1, (key, language, len(text))


@pytest.mark.parametrize("language", ["id", "en"])
def test_status_labels_are_short_gsm7(language):
    for status in texts.STATUS_LABELS:
        label = texts.label(texts.STATUS_LABELS, status, language)
        assert is_gsm7(label) and len(label) <= 20


@pytest.mark.parametrize("table", [texts.STATUS_LABELS, texts.WORDS])
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_label_is_gsm7_and_fits_the_status_reply(table, language):
    for key in table:
        word = texts.label(table, key, language)
        assert is_gsm7(word)
        reply = texts.render("status_reply", language, **{**FIELDS, "status": word})
        assert count_segments(reply) == 1


def test_missing_language_falls_back_to_indonesian():
    assert texts.render("help", "jv") == texts.render("help", "id")


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_ussd_consent_screen_names_the_consent_version_that_is_recorded(language):
    from gateway.citizens.consent import CONSENT_VERSION
    from menus import load_tree

    assert CONSENT_VERSION in load_tree().catalog[language]["sub.consent"]
