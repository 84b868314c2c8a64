import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.common.sms_text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    count_segments,
    encoding,
    is_gsm7,
    length_units,
    non_gsm7_chars,
    to_gsm7,
    truncate_to_segments,
)

GSM_CHARS = "".join(sorted(GSM7_BASIC | GSM7_EXTENSION))
gsm_text = st.text(alphabet=GSM_CHARS, max_size=700)
any_text = st.text(max_size=400)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 159, 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 159 + "€", 2),  # the euro sign at position 160 makes 161 septets
        ("a" * 158 + "€", 1),  # 160 septets
        ("{" * 80, 1),
        ("{" * 81, 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # escape pair cannot straddle segments
        ("é" * 160, 1),  # é is in the default alphabet
        ("á" * 70, 1),  # á is not: UCS-2
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("😀" * 35, 1),  # emoji are two UTF-16 units
        ("😀" * 36, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),  # surrogate pair cannot straddle segments
        ("Terima kasih’", 1),
    ],
)
def test_count_segments_table(text: str, segments: int) -> None:
    assert count_segments(text) == segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Halo Bapak/Ibu", "GSM-7"),
        ("harga 5€ {ok}", "GSM-7"),
        ("Ibu’s", "UCS-2"),
        ("ok 👍", "UCS-2"),
        ("", "GSM-7"),
    ],
)
def test_encoding(text: str, expected: str) -> None:
    assert encoding(text) == expected
    assert is_gsm7(text) is (expected == "GSM-7")


def test_non_gsm7_chars_names_each_culprit_once_in_order() -> None:
    assert non_gsm7_chars("“Sekolah” – rusak… “lagi”") == ["“", "”", "–", "…"]
    assert non_gsm7_chars("biasa saja") == []


def test_length_units_counts_extension_and_surrogates() -> None:
    assert length_units("a€") == 3
    assert length_units("a😀") == 3


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("“Guru” ‘tidak’ hadir", "\"Guru\" 'tidak' hadir"),
        ("07.00–09.00 — libur", "07.00-09.00 - libur"),
        ("tunggu…", "tunggu..."),
        ("Rp\u00a05.000", "Rp 5.000"),
        ("café crème crêpe", "café crème crepe"),
        ("Sáya Ñoño ç", "Saya Ñoño c"),
        ("terima kasih 🙏", "terima kasih "),
        ("ﬁle", "file"),
        ("e\u0301", "é"),
        ("{ok} €5", "{ok} €5"),
    ],
)
def test_to_gsm7_table(raw: str, clean: str) -> None:
    assert to_gsm7(raw) == clean


@given(any_text)
def test_to_gsm7_output_is_always_gsm7(text: str) -> None:
    assert is_gsm7(to_gsm7(text))


@given(gsm_text)
def test_to_gsm7_keeps_gsm7_text(text: str) -> None:
    assert to_gsm7(text) == text


@given(any_text, st.text(max_size=5))
def test_count_segments_monotonic_on_append(text: str, more: str) -> None:
    assert count_segments(text + more) >= count_segments(text)


@given(gsm_text, gsm_text)
def test_count_segments_monotonic_within_gsm7(text: str, more: str) -> None:
    assert count_segments(text + more) >= count_segments(text)


@given(gsm_text)
def test_gsm7_segments_at_least_the_simple_formula(text: str) -> None:
    septets = length_units(text)
    simple = 1 if septets <= 160 else math.ceil(septets / 153)
    assert simple <= count_segments(text) <= simple + 1 + septets // 153


@given(gsm_text, st.integers(min_value=1, max_value=4))
def test_truncate_fits_and_is_a_prefix(text: str, segments: int) -> None:
    cut = truncate_to_segments(text, segments)
    assert count_segments(cut) <= segments
    if cut != text:
        assert cut.endswith("...")
        assert text.startswith(cut[:-3])


def test_truncate_leaves_fitting_text_alone() -> None:
    assert truncate_to_segments("a" * 160) == "a" * 160


def test_truncate_counts_extension_chars_as_two() -> None:
    cut = truncate_to_segments("{" * 100)
    assert cut == "{" * 78 + "..."
    assert length_units(cut) == 159


def test_truncate_uses_all_segments() -> None:
    cut = truncate_to_segments("kata " * 100, segments=2)
    assert count_segments(cut) == 2
    assert length_units(cut) > 290


def test_truncate_rejects_zero_segments() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        truncate_to_segments("abc", 0)
