from hypothesis import given
from hypothesis import strategies as st

from nodes.keyslot import HASH_SLOTS, crc16, keyslot


def test_crc16_reference_vector() -> None:
    assert crc16(b"123456789") == 0x31C3


def test_hash_tags() -> None:
    assert keyslot("{user1000}.following") == keyslot("{user1000}.followers")
    assert keyslot("foo{}{bar}") == keyslot(b"foo{}{bar}")
    assert keyslot("foo{}{bar}") == crc16(b"foo{}{bar}") % HASH_SLOTS
    assert keyslot("foo{{bar}}zap") == crc16(b"{bar") % HASH_SLOTS
    assert keyslot("foo{bar}{zap}") == keyslot("bar")


@given(st.binary(max_size=64))
def test_slot_in_range(key: bytes) -> None:
    assert 0 <= keyslot(key) < HASH_SLOTS
