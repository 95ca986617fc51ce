"""nodes.acl.revoke: which channel rule changes can cost a pub/sub client its
subscriptions (redis's ACLKillPubsubClientsIfNeeded shortcuts), and which
subscriptions fall outside the new rules."""

from __future__ import annotations

from nodes.acl.revoke import channels_left, violates
from nodes.acl.rules import apply_rule, merge_selector_args
from nodes.acl.user import User
from nodes.pubsub import Subscriptions


def _user(*rules: bytes) -> User:
    user = User(name=b"u")
    merged = merge_selector_args(list(rules))
    assert isinstance(merged, list)
    for rule in merged:
        apply_rule(user, rule)
    user.refresh()
    return user


def _subs(channels: tuple[bytes, ...] = (), patterns: tuple[bytes, ...] = ()) -> Subscriptions:
    subs = Subscriptions()
    subs.channels.update(dict.fromkeys(channels))
    subs.patterns.update(dict.fromkeys(patterns))
    return subs


def test_nothing_revoked_when_every_old_pattern_stays_or_all_channels_allowed() -> None:
    old = _user(b"resetchannels", b"&a*", b"&b")
    assert channels_left(_user(b"resetchannels", b"&b", b"&a*", b"&c"), old) is None
    assert channels_left(_user(b"resetchannels", b"(&z allchannels)"), old) is None
    assert channels_left(_user(b"resetchannels", b"&a*", b"(&b)"), old) is None


def test_a_smaller_list_or_lost_allchannels_is_checked_client_by_client() -> None:
    assert channels_left(
        _user(b"resetchannels", b"&b"), _user(b"resetchannels", b"&a*", b"&b")
    ) == [b"b"]
    assert channels_left(_user(b"resetchannels", b"&x"), _user(b"allchannels")) == [b"x"]


def test_channels_match_patterns_and_patterns_must_equal_one() -> None:
    allowed = [b"news*", b"lit"]
    assert not violates(_subs(channels=(b"news1", b"lit"), patterns=(b"news*",)), allowed)
    assert violates(_subs(channels=(b"sport",)), allowed)
    assert violates(_subs(patterns=(b"news1",)), allowed)
    shard = _subs()
    shard.shard[b"other"] = None
    assert violates(shard, allowed)
    assert not violates(_subs(), [])
