import pytest

from gateway.common.phone import is_mobile, mask, normalize
from gateway.errors import InvalidPhoneNumber


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456-7890",
        "6281234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 (0)812 3456 7890",
        "0062 812 3456 7890",
        "62 0812 3456 7890",
        "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10",
    ],
)
def test_indonesian_variants_become_e164(raw):
    assert normalize(raw) == "+6281234567890"


@pytest.mark.parametrize(
    "raw", ["", "08123456", "08123456789012", "abc", "+62+812", "1708", "x" * 100, "812-+34"]
)
def test_invalid_numbers_are_rejected(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize(raw)


def test_kenyan_sandbox_numbers_still_parse():
    assert normalize("+254711000000") == "+254711000000"


def test_mobile_detection():
    assert is_mobile("+6281234567890")
    assert not is_mobile("+62215551234")


def test_mask_hides_the_middle():
    masked = mask("+6281234567890")
    assert masked.startswith("+6281") and masked.endswith("890")
    assert "234567" not in masked
