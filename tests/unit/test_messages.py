import pytest

from gateway import messages, ussd_texts
from gateway.sms_text import count_segments, is_gsm7

# Realistic, long-ish values for every field a catalogue entry may use.
FIELDS = {
    "ticket": "1234567",
    "choices": "LAPOR atau SARAN",
    "first": "LAPOR",
    "where": "Kec. Kualuh Leidong, orang tua",
    "topic": "MUTASI",
    "status": messages.STATUS_LABELS["received"]["id"],
    "date": "28-11-2026 13:04",
    "code": "MUSREN01",
    "place": "Aula SMPN 1 Aek Kanopan",
    "reports": 12,
    "messages": 140,
    "subscribed": "tidak",
    "kecamatan": "Kualuh Selatan",
    "request": 10234,
    "label": "Sangat setuju sekali",
}


@pytest.mark.parametrize("key", sorted(messages.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sms_text_is_gsm7_and_one_segment(key, language):
    text = messages.render(key, language, **FIELDS)
    assert is_gsm7(text)
    assert count_segments(text) == 1, (key, language, len(text))


@pytest.mark.parametrize("key", sorted(ussd_texts.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_ussd_sms_text_is_gsm7_and_one_segment_with_longest_fields(key, language):
    fields = {"title": "T" * 120, "place": "P" * 120, "when": "30 Des 09.00", "code": "K" * 12}
    text = ussd_texts.render(key, language, **fields)
    assert is_gsm7(text)
    assert count_segments(text) == 1, (key, language, len(text))


@pytest.mark.parametrize("language", ["id", "en"])
def test_status_labels_are_short_gsm7(language):
    for label in ussd_texts.STATUS_LABELS[language].values():
        assert is_gsm7(label) and len(label) <= 20


@pytest.mark.parametrize("table", [messages.STATUS_LABELS, messages.WORDS])
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_label_is_gsm7_and_fits_the_status_reply(table, language):
    for key in table:
        word = messages.label(table, key, language)
        assert is_gsm7(word)
        reply = messages.render("status_reply", language, **{**FIELDS, "status": word})
        assert count_segments(reply) == 1


def test_missing_language_falls_back_to_indonesian():
    assert messages.render("help", "jv") == messages.render("help", "id")
