"""The keyed hash an erased number is kept as: stable, keyed, short enough, no digits of it."""

from gateway.citizens.erasure import number_hash

PHONE = "+6281234567890"


def test_the_hash_is_stable_keyed_and_fits_the_phone_column():
    first = number_hash(PHONE, b"salt-a")
    assert first == number_hash(PHONE, b"salt-a")
    assert first != number_hash(PHONE, b"salt-b")
    assert first != number_hash("+6281234567891", b"salt-a")
    assert len(first) <= 20 and first.startswith("#")
    assert "81234567890" not in first
