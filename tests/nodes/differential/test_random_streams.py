"""Random stream command sequences (hypothesis) give byte-identical replies on
redis-server 7.0 and splitbrain-server, with small node limits so that entries spread
over many nodes: XADD (explicit, partial IDs, trimming), XDEL, XTRIM, ranges, XINFO
STREAM and DUMP (the node layout byte for byte); and the consumer group commands whose
replies hold no clock (JUSTID claims, summaries).

Derandomized and bounded like ``test_random_sequences.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.nodes.differential.conftest import ServerPair
from tests.nodes.differential.runner import Script, Step, cmd, except_fields, report, run_pair

pytestmark = pytest.mark.redis

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

KEYS = st.sampled_from(["x", "x", "x", "y", "str"])
MS = st.integers(0, 40)
IDS = st.one_of(
    st.builds(lambda ms, seq: f"{ms}-{seq}", MS, st.integers(0, 3)),
    st.builds(lambda ms: f"{ms}-*", MS),
    st.builds(str, MS),
    st.sampled_from(["0-0", "-", "+", "x", "18446744073709551615-18446744073709551615"]),
)
BOUNDS = st.one_of(
    st.builds(str, MS),
    st.builds(lambda ms, seq: f"({ms}-{seq}", MS, st.integers(0, 3)),
    st.sampled_from(["-", "+", "(-", "x"]),
)
FIELDS = st.sampled_from(["a", "b", "c", "", "1", "ab" * 20])
VALUES = st.sampled_from(["1", "-5", "v", "", "x" * 30, "12345678901234567890"])


@st.composite
def xadd(draw: st.DrawFn) -> Step:
    options: list[str | int] = []
    if draw(st.booleans()):
        options.append("NOMKSTREAM")
    trim = draw(st.sampled_from(["", "MAXLEN", "MINID"]))
    if trim:
        options.append(trim)
        options += draw(st.sampled_from([[], ["="], ["~"]]))
        options.append(draw(st.integers(0, 12)) if trim == "MAXLEN" else draw(MS))
        if draw(st.booleans()):
            options += ["LIMIT", draw(st.integers(0, 8))]
    pairs = draw(st.lists(st.tuples(FIELDS, VALUES), min_size=1, max_size=3))
    flat = [x for pair in pairs for x in pair]
    return cmd("XADD", draw(KEYS), *options, draw(IDS), *flat)


@st.composite
def xtrim(draw: st.DrawFn) -> Step:
    trim = draw(st.sampled_from(["MAXLEN", "MINID"]))
    args: list[str | int] = [trim, *draw(st.sampled_from([[], ["="], ["~"]]))]
    args.append(draw(st.integers(0, 12)) if trim == "MAXLEN" else draw(MS))
    if draw(st.booleans()):
        args += ["LIMIT", draw(st.integers(0, 8))]
    return cmd("XTRIM", draw(KEYS), *args)


@st.composite
def xrange(draw: st.DrawFn) -> Step:
    name = draw(st.sampled_from(["XRANGE", "XREVRANGE"]))
    count = draw(st.sampled_from([[], ["COUNT", "2"], ["COUNT", "0"], ["COUNT", "-1"]]))
    return cmd(name, draw(KEYS), draw(BOUNDS), draw(BOUNDS), *count)


DATA_STEPS = st.one_of(
    xadd(),
    xadd(),
    xadd(),
    xtrim(),
    xrange(),
    st.builds(lambda k, ids: cmd("XDEL", k, *ids), KEYS, st.lists(IDS, min_size=1, max_size=3)),
    st.builds(lambda k: cmd("XLEN", k), KEYS),
    st.builds(lambda k: cmd("XINFO", "STREAM", k), KEYS),
    st.builds(lambda k: cmd("XINFO", "STREAM", k, "FULL", "COUNT", 3), KEYS),
    st.builds(lambda k: cmd("DUMP", k), KEYS),
    st.builds(lambda k, i: cmd("XREAD", "COUNT", 3, "STREAMS", k, i), KEYS, IDS),
    st.builds(lambda k, i: cmd("XSETID", k, i), KEYS, IDS),
)

GROUPS = st.sampled_from(["g", "g", "h"])
CONSUMERS = st.sampled_from(["alice", "bob", "carol"])
GROUP_STEPS = st.one_of(
    xadd(),
    st.builds(
        lambda k, g, i, mk: cmd("XGROUP", "CREATE", k, g, i, *mk),
        KEYS,
        GROUPS,
        st.one_of(IDS, st.just("$")),
        st.sampled_from([[], ["MKSTREAM"], ["ENTRIESREAD", "2"]]),
    ),
    st.builds(lambda k, g, i: cmd("XGROUP", "SETID", k, g, i), KEYS, GROUPS, IDS),
    st.builds(lambda k, g: cmd("XGROUP", "DESTROY", k, g), KEYS, GROUPS),
    st.builds(lambda k, g, c: cmd("XGROUP", "DELCONSUMER", k, g, c), KEYS, GROUPS, CONSUMERS),
    st.builds(
        lambda k, g, c, n, noack, i: cmd(
            "XREADGROUP", "GROUP", g, c, "COUNT", n, *noack, "STREAMS", k, i
        ),
        KEYS,
        GROUPS,
        CONSUMERS,
        st.integers(0, 3),
        st.sampled_from([[], ["NOACK"]]),
        st.sampled_from([">", ">", "0", "5"]),
    ),
    st.builds(lambda k, g, ids: cmd("XACK", k, g, *ids), KEYS, GROUPS, st.lists(IDS, min_size=1)),
    st.builds(
        lambda k, g, c, ids, force: cmd("XCLAIM", k, g, c, 0, *ids, "JUSTID", *force),
        KEYS,
        GROUPS,
        CONSUMERS,
        st.lists(IDS, min_size=1, max_size=3),
        st.sampled_from([[], ["FORCE"], ["LASTID", "30-0"]]),
    ),
    st.builds(
        lambda k, g, c, s, n: cmd("XAUTOCLAIM", k, g, c, 0, s, "COUNT", n, "JUSTID"),
        KEYS,
        GROUPS,
        CONSUMERS,
        BOUNDS,
        st.integers(1, 3),
    ),
    st.builds(lambda k, g: cmd("XPENDING", k, g), KEYS, GROUPS),
    st.builds(lambda k: cmd("XINFO", "GROUPS", k), KEYS),
    st.builds(lambda k: cmd("XDEL", k, f"{3}-0", "5-1", "7"), KEYS),
    xtrim(),
)

SMALL_NODES = (
    cmd("CONFIG", "SET", "stream-node-max-entries", 4),
    cmd("CONFIG", "SET", "stream-node-max-bytes", 120),
)
DEFAULT_NODES = (
    cmd("CONFIG", "SET", "stream-node-max-entries", 100),
    cmd("CONFIG", "SET", "stream-node-max-bytes", 4096),
)
HELLO_3 = cmd("HELLO", 3, same=except_fields(b"id"), why="client ids are per-server counters")


def _check(pair: ServerPair, name: str, steps: list[Step], resp3: bool) -> None:
    setup = (*((HELLO_3,) if resp3 else ()), cmd("SET", "str", "v"), *SMALL_NODES)
    s = Script(name, (*setup, *steps, *DEFAULT_NODES))
    diffs = run_pair(s, pair.theirs.port, pair.ours.port)
    assert not diffs, report(s, diffs)


@SETTINGS
@given(steps=st.lists(DATA_STEPS, min_size=1, max_size=30), resp3=st.booleans())
def test_random_stream_sequences(server_pair: ServerPair, steps: list[Step], resp3: bool) -> None:
    _check(server_pair, "random-stream", steps, resp3)


@SETTINGS
@given(steps=st.lists(GROUP_STEPS, min_size=1, max_size=30), resp3=st.booleans())
def test_random_consumer_group_sequences(
    server_pair: ServerPair, steps: list[Step], resp3: bool
) -> None:
    _check(server_pair, "random-stream-group", steps, resp3)
