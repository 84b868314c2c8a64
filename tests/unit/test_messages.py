import pytest

from gateway import messages
from gateway.sms_text import count_segments, is_gsm7
from gateway.ussd_basic import ASK_TEXT, CATEGORY_MENU, MAIN, WRONG, _done


@pytest.mark.parametrize("key", sorted(messages.CATALOG))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sms_text_is_gsm7_and_one_segment(key, language):
    text = messages.render(key, language, ticket="1234567")
    assert is_gsm7(text)
    assert count_segments(text) == 1, (key, language, len(text))


@pytest.mark.parametrize(
    "screen", [MAIN, CATEGORY_MENU, ASK_TEXT, WRONG + MAIN, WRONG + CATEGORY_MENU, _done("1234567")]
)
def test_basic_ussd_screens_fit_160_with_prefix(screen):
    assert len("CON " + screen) <= 160
    assert is_gsm7(screen)
