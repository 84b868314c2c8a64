import pytest

from gateway.sms.tagging import (
    CATEGORIES,
    KECAMATAN,
    canonical_kecamatan,
    tag_category,
    tag_kecamatan,
)


def test_official_lists() -> None:
    assert len(KECAMATAN) == 8
    assert "Na IX-X" in KECAMATAN and "Marbau" in KECAMATAN
    assert len(CATEGORIES) == 9 and CATEGORIES[-1] == "lainnya"
    assert {"spmb", "pip", "sarpras", "perundungan"} <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marbau", "Marbau"),
        ("merbau", "Marbau"),
        ("Na IX-X", "Na IX-X"),
        ("NA IX – X", "Na IX-X"),
        ("Na IX - X", "Na IX-X"),
        ("Na Ix-x", "Na IX-X"),
        ("Na IX X", "Na IX-X"),
        ("naix-x", "Na IX-X"),
        ("Kuala Ledong", "Kualuh Leidong"),
        ("Tanjung Leidong", "Kualuh Leidong"),
        ("Aek Kanopan", "Kualuh Hulu"),
        ("kualuh hulu", "Kualuh Hulu"),
        ("KUALUH HILIR", "Kualuh Hilir"),
        ("Kualuh Selatn", "Kualuh Selatan"),  # typo
        ("kwaluh hilir", "Kualuh Hilir"),  # typo
        ("aek kuo", "Aek Kuo"),
        ("Aek Natas", "Aek Natas"),
        ("Kualuh", None),  # four kecamatan start with Kualuh
        ("Aek", None),
        ("", None),
        ("Medan", None),
    ],
)
def test_canonical_kecamatan(text: str, expected: str | None) -> None:
    assert canonical_kecamatan(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Atap SD negeri di kec. Merbau bocor", "Marbau"),
        ("sekolah anak sy di aek kanopan timur", "Kualuh Hulu"),
        ("SMP di Na IX – X pungli", "Na IX-X"),
        ("di Na IX ada pungli", "Na IX-X"),
        ("dari tanjung leidong pak", "Kualuh Leidong"),
        ("Kualuh Hulu dan Marbau sama saja", None),  # two places: unclear
        ("di sekolah kami", None),
        ("kualuhhulu", None),  # glued words are not guessed in free text
    ],
)
def test_tag_kecamatan(text: str, expected: str | None) -> None:
    assert tag_kecamatan(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("atap bocor di SD 112", "sarpras"),
        ("Ijazah anak saya hilang, gmn legalisir?", "ijazah"),
        ("kapan PPDB dibuka? zonasi brp km", "spmb"),
        ("Pendaftaran SPMB 2026", "spmb"),
        ("ada pungli uang komite 200rb", "bos"),
        ("pungutan seragam di smp", "bos"),
        ("anak saya dibully kawan sekelas", "perundungan"),
        ("anak sy di bully", "perundungan"),
        ("KIP anak saya blm cair", "pip"),
        ("dana PIP dipotong kepsek", "pip"),
        ("guru sering tidak masuk", "guru"),
        ("guru dimutasi tanpa alasan", "guru"),
        ("mutasi siswa ke SD lain bgmn caranya", "mutasi"),
        ("halo pak selamat pagi", None),
        ("", None),
        ("guru minta iuran", "bos"),  # a levy, whoever asks for it
        ("guru minta iuran, kepsek pungli", "bos"),
        ("PIP dan ijazah anak sy", None),  # two topics, equally named: staff decides
    ],
)
def test_tag_category(text: str, expected: str | None) -> None:
    assert tag_category(text) == expected


def test_lainnya_is_never_auto_tagged() -> None:
    assert tag_category("lainnya lain-lain") is None
