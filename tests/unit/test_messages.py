import pytest

from gateway import messages, ussd_texts
from gateway.sms_text import count_segments, is_gsm7


@pytest.mark.parametrize("key", sorted(messages.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sms_text_is_gsm7_and_one_segment(key, language):
    text = messages.render(key, language, ticket="1234567")
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
