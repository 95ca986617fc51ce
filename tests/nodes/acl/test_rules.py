"""ACL rules, their description, the permission check, and the SLOWLOG / LATENCY /
MONITOR helpers, on the real command table (no server)."""

from __future__ import annotations

import random

import pytest

from nodes.acl.check import Denied, check
from nodes.acl.describe import command_rules, describe
from nodes.acl.rules import (
    CATEGORIES,
    AclRuleError,
    apply_rule,
    every_command,
    lookup,
    merge_selector_args,
)
from nodes.acl.user import User
from nodes.commands import COMMANDS, load_all
from nodes.latency import CommandHistogram, bucket_of, hdr_highest_equivalent_ns, percentile_name
from nodes.monitor import quote
from nodes.redaction import redact
from nodes.slowlog import _trimmed

load_all()


def _user(*rules: bytes) -> User:
    user = User(name=b"u")
    for rule in rules:
        apply_rule(user, rule)
    user.refresh()
    return user


def _random_rules(rng: random.Random) -> list[bytes]:
    names = [c.fullname_bytes for c in every_command()]
    rules: list[bytes] = [rng.choice([b"+@all", b"-@all"])]
    for _ in range(rng.randrange(1, 12)):
        sign = rng.choice(b"+-")
        if rng.random() < 0.5:
            rules.append(bytes([sign]) + b"@" + rng.choice(CATEGORIES))
        else:
            rules.append(bytes([sign]) + rng.choice(names))
    return rules


def test_described_rules_give_back_the_same_permissions(rng: random.Random) -> None:
    for _ in range(60):
        rules = _random_rules(rng)
        original = _user(*rules)
        described = command_rules(original)
        again = _user(*described.split())
        assert again.allowed == original.allowed, (rules, described)
        assert again.future_commands == original.future_commands


def _restricted(user: User) -> bool:
    return user.restricted


def test_the_default_users_rules_are_unrestricted_until_narrowed() -> None:
    default = _user(b"+@all", b"~*", b"&*", b"on", b"nopass")
    assert not _restricted(default)
    assert describe(default) == b"on nopass ~* &* +@all"
    apply_rule(default, b"-flushall")
    default.refresh()
    assert _restricted(default)
    assert check(default, COMMANDS[b"flushall"], [b"flushall"]) is not None
    apply_rule(default, b"+@all")
    default.refresh()
    assert not _restricted(default)


def test_key_permissions_follow_the_key_specs() -> None:
    user = _user(b"+@all", b"%R~r*", b"%W~w*", b"~k*")
    get, set_ = COMMANDS[b"get"], COMMANDS[b"set"]
    assert check(user, get, [b"get", b"r1"]) is None
    assert check(user, get, [b"get", b"w1"]) is not None
    assert check(user, set_, [b"set", b"w1", b"v"]) is None
    denial = check(user, set_, [b"set", b"r1", b"v"])
    assert denial is not None and denial.reason is Denied.KEY and denial.position == 1
    assert check(user, set_, [b"set", b"w1", b"v", b"GET"]) is not None
    assert check(user, set_, [b"set", b"k1", b"v", b"GET"]) is None
    bitfield = COMMANDS[b"bitfield"]
    assert check(user, bitfield, [b"bitfield", b"r", b"GET", b"u8", b"0"]) is None
    assert check(user, bitfield, [b"bitfield", b"r", b"SET", b"u8", b"0", b"1"]) is not None
    copy = COMMANDS[b"copy"]
    assert check(user, copy, [b"copy", b"r1", b"w1"]) is None
    assert check(user, copy, [b"copy", b"w1", b"r1"]) is not None


def test_first_argument_rules_and_subcommands() -> None:
    user = _user(b"-@all", b"+select|0", b"+config|get", b"allkeys")
    select = COMMANDS[b"select"]
    assert check(user, select, [b"select", b"0"]) is None
    assert check(user, select, [b"select", b"1"]) is not None
    config_get = lookup(b"config|get")
    config_set = lookup(b"config|set")
    assert config_get is not None and config_set is not None
    assert check(user, config_get, [b"config", b"get", b"x"]) is None
    denial = check(user, config_set, [b"config", b"set", b"x", b"y"])
    assert denial is not None and denial.reason is Denied.COMMAND
    with pytest.raises(AclRuleError):
        apply_rule(user, b"+config|get|x")


def test_histogram_buckets_are_redis_hdr_limits() -> None:
    assert [bucket_of(us) for us in (0, 1, 2, 3, 8, 1056, 1057)] == [0, 0, 1, 2, 3, 10, 11]
    histogram = CommandHistogram()
    for us in (0, 1, 5, 1000, 1000):
        histogram.add(us)
    assert histogram.reply() == {
        b"calls": 5,
        b"histogram_usec": {1: 2, 8: 3, 1056: 5},
    }


def test_slowlog_trims_and_redacts() -> None:
    argv = [b"rpush", b"l", *(b"%d" % i for i in range(40))]
    kept = _trimmed(argv)
    assert len(kept) == 32 and kept[-1] == b"... (11 more arguments)"
    assert _trimmed([b"set", b"k", b"x" * 130])[2] == b"x" * 128 + b"... (2 more bytes)"
    assert redact("auth", [b"AUTH", b"u", b"p"]) == [b"AUTH", b"(redacted)", b"(redacted)"]
    assert redact("config", [b"config", b"set", b"requirepass", b"pw", b"maxmemory", b"1"]) == [
        b"config",
        b"set",
        b"requirepass",
        b"(redacted)",
        b"maxmemory",
        b"1",
    ]


def test_monitor_quotes_as_sdscatrepr() -> None:
    assert quote(b'a "b"\n\\\x01\xff') == b'"a \\"b\\"\\n\\\\\\x01\\xff"'


def test_selectors_are_described_and_checked() -> None:
    user = _user(b"~a*", b"+get", b"(~b* +set)", b"(%R~c* &ch +@hash -hget)")
    assert describe(user) == (
        b"off ~a* resetchannels -@all +get (~b* resetchannels -@all +set) "
        b"(%R~c* resetchannels &ch -@all +@hash -hget)"
    )
    merged = merge_selector_args(describe(user).split())
    assert isinstance(merged, list)
    again = _user(*merged)
    assert describe(again) == describe(user)
    assert check(user, COMMANDS[b"set"], [b"set", b"b1", b"v"]) is None
    denial = check(user, COMMANDS[b"set"], [b"set", b"a1", b"v"])
    assert denial is not None and denial.reason is Denied.KEY
    assert check(user, COMMANDS[b"hgetall"], [b"hgetall", b"c1"]) is None
    apply_rule(user, b"clearselectors")
    assert check(user, COMMANDS[b"hgetall"], [b"hgetall", b"c1"]) is not None


def test_latency_percentiles_are_redis_hdr_values() -> None:
    """Values read off redis-server 7.0's INFO latencystats: one call of 3, 11, 26 and
    158 µs gives p50 = 3.007, 11.007, 26.111, 158.719 (the top of its hdr bucket)."""
    for us, shown in ((3, "3.007"), (11, "11.007"), (26, "26.111"), (158, "158.719")):
        histogram = CommandHistogram()
        histogram.add(us)
        assert f"{histogram.percentile_us(50):.3f}" == shown
    histogram = CommandHistogram()
    for us in [1] * 98 + [40, 2000]:
        histogram.add(us)
    # rank round(p% of 100 calls); 40 µs = 40000 ns lies in [39936, 40191] (256 ns wide
    # above 32768), 2000 µs in [1998848, 2007039]; percentile 0 gives a bucket's bottom
    assert [f"{histogram.percentile_us(p):.3f}" for p in (50, 99, 99.9, 100, 0)] == [
        "1.003",
        "40.191",
        "2007.039",
        "2007.039",
        "1.000",
    ]
    assert [percentile_name(p) for p in (50.0, 99.0, 99.9, 12.345)] == [
        "50",
        "99",
        "99.9",
        "12.345",
    ]
    assert hdr_highest_equivalent_ns(255) == 255 and hdr_highest_equivalent_ns(256) == 257
