"""Round trips of the Lua libraries redis embeds (cjson, cmsgpack, struct), run in the
script sandbox itself, with values hypothesis draws (seeded: $SPLITBRAIN_SEED).

Each codec is also checked against an independent reading in Python: the JSON that
cjson writes is parsed by Python's json, the MessagePack that cmsgpack writes by a small
decoder below, and struct's bytes are compared with Python's ``struct``. (The replies
of redis-server itself are compared in tests/nodes/differential/scripts/lua_libraries.py.)
"""

from __future__ import annotations

import json
import math
import os
import random
import struct
from typing import Any

import pytest
from hypothesis import example, given, seed, settings
from hypothesis import strategies as st

from nodes.scripting.sandbox import LuaSandbox

SEED = int(os.environ.get("SPLITBRAIN_SEED", random.SystemRandom().randrange(2**32)))
print(f"seed={SEED} (rerun with SPLITBRAIN_SEED={SEED})")


class InertHost:
    """A script host for scripts that never reach the server (pure codec work)."""

    def lua_call(self, raise_error: bool, *args: object) -> tuple[bool, object]:
        raise AssertionError("a codec test called redis.call")

    def lua_log(self, level: int, message: bytes) -> None:
        pass

    def lua_setresp(self, resp: int) -> None:
        pass

    def lua_set_repl(self, flags: int) -> None:
        pass

    def lua_acl_check_cmd(self, *args: object) -> tuple[bool, object]:
        return True, True

    def lua_interrupt(self) -> bool:
        return False


@pytest.fixture(scope="module")
def box() -> LuaSandbox:
    return LuaSandbox(InertHost())


def run(box: LuaSandbox, body: str, *argv: bytes) -> Any:
    """Run ``body`` as an EVAL script with these ARGV: its value, or fail with its error."""
    fn, err = box.compile(body.encode(), b"@user_script")
    assert fn is not None, err
    ok, value = box.run_eval(fn, box.array([]), box.array(list(argv)), False)
    if not ok:
        raise AssertionError(box.rawget(value, b"err"))
    return value


# ----- cjson -----

json_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars | st.none(),
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


def same_json(a: Any, b: Any) -> bool:
    """Equal as cjson keeps values: 14 significant digits, {} and [] both empty tables."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-300)
    if a in ([], {}) and b in ([], {}):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return bool(a == b)


@seed(SEED)
@settings(max_examples=150, deadline=None)
@given(json_values)
def test_cjson_decode_then_encode_keeps_the_value(box: LuaSandbox, value: Any) -> None:
    text = json.dumps(value).encode()
    out = run(box, "return cjson.encode(cjson.decode(ARGV[1]))", text)
    assert same_json(json.loads(out), value), (text, out)


@seed(SEED)
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_cjson_strings_are_escaped_as_json(box: LuaSandbox, text: str) -> None:
    raw = text.encode()
    out = run(box, "return cjson.encode(ARGV[1])", raw)
    assert json.loads(out) == text
    assert run(box, "return cjson.decode(cjson.encode(ARGV[1]))", raw) == raw


# ----- cmsgpack -----


def msgpack_read(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """A MessagePack reader (the subset cmsgpack writes): (value, next position)."""
    c = data[pos]
    pos += 1
    if c < 0x80:
        return c, pos
    if c >= 0xE0:
        return c - 256, pos
    if 0xA0 <= c <= 0xBF:
        return data[pos : pos + c - 0xA0], pos + c - 0xA0
    if 0x90 <= c <= 0x9F or c in (0xDC, 0xDD):
        n, pos = (c - 0x90, pos) if c <= 0x9F else _length(data, pos, 2 if c == 0xDC else 4)
        items = []
        for _ in range(n):
            item, pos = msgpack_read(data, pos)
            items.append(item)
        return items, pos
    if 0x80 <= c <= 0x8F or c in (0xDE, 0xDF):
        n, pos = (c - 0x80, pos) if c <= 0x8F else _length(data, pos, 2 if c == 0xDE else 4)
        table = {}
        for _ in range(n):
            key, pos = msgpack_read(data, pos)
            table[key], pos = msgpack_read(data, pos)
        return table, pos
    fixed = {0xC0: None, 0xC2: False, 0xC3: True}
    if c in fixed:
        return fixed[c], pos
    widths = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h"}
    widths |= {0xD2: ">i", 0xD3: ">q", 0xCA: ">f", 0xCB: ">d"}
    if c in widths:
        size = struct.calcsize(widths[c])
        return struct.unpack(widths[c], data[pos : pos + size])[0], pos + size
    if c in (0xD9, 0xDA, 0xDB):
        n, pos = _length(data, pos, {0xD9: 1, 0xDA: 2, 0xDB: 4}[c])
        return data[pos : pos + n], pos + n
    raise AssertionError(f"cmsgpack wrote an unknown type byte {c:#x}")


def _length(data: bytes, pos: int, size: int) -> tuple[int, int]:
    return int.from_bytes(data[pos : pos + size], "big"), pos + size


def as_lua(value: Any) -> Any:
    """The value as a Lua table holds it (arrays are maps 1..n), bytes for strings."""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, list):
        return {i + 1: as_lua(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k.encode(): as_lua(v) for k, v in value.items()}
    return value


def from_msgpack(value: Any) -> Any:
    if isinstance(value, list):
        return {i + 1: from_msgpack(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k: from_msgpack(v) for k, v in value.items()}
    return value


msgpack_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=20) | st.dictionaries(st.text(max_size=8), inner, max_size=20)
    ),
    max_leaves=40,
)


@seed(SEED)
@settings(max_examples=150, deadline=None)
@given(msgpack_values)
def test_cmsgpack_pack_is_messagepack_and_unpacks_to_the_value(box: LuaSandbox, value: Any) -> None:
    text = json.dumps(value).encode()
    packed = run(box, "return cmsgpack.pack(cjson.decode(ARGV[1]))", text)
    decoded, end = msgpack_read(packed)
    assert end == len(packed)
    got, want = from_msgpack(decoded), as_lua(value)
    assert same_json(got, want) or (got == {} and want == {}), (text, packed)
    again = run(box, "return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))", packed)
    assert msgpack_read(again)[0] == decoded  # the map order is the rebuilt table's


@seed(SEED)
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats(width=64),
        min_size=1,
        max_size=10,
    )
)
@example([-0.0, float("inf")])  # once generated as -inf by the 1/0 literal
def test_cmsgpack_numbers_round_trip_exactly(box: LuaSandbox, numbers: list[float]) -> None:
    literals = ",".join(_lua_number(n) for n in numbers)
    out = run(
        box,
        f"local t = {{{literals}}} local p = cmsgpack.pack(unpack(t, 1, {len(numbers)})) "
        f"local u = {{cmsgpack.unpack(p)}} "
        f"for i = 1, {len(numbers)} do if not (u[i] == t[i] or (u[i] ~= u[i] and t[i] ~= t[i])) "
        "then return 'differs at ' .. i end end return p",
    )
    assert isinstance(out, bytes) and not out.startswith(b"differs"), out
    pos, seen = 0, []
    while pos < len(out):
        v, pos = msgpack_read(out, pos)
        seen.append(v)
    assert len(seen) == len(numbers)
    for v, n in zip(seen, numbers, strict=True):
        assert (math.isnan(v) and math.isnan(n)) or v == float(n) or v == n


def _lua_number(n: float) -> str:
    if isinstance(n, float) and math.isnan(n):
        return "0/0"
    if isinstance(n, float) and math.isinf(n):
        # not 1/0: Lua 5.1 shares one constant for 0 and -0.0, so after a -0.0 literal
        # in the same chunk, 1/0 is -inf
        return "math.huge" if n > 0 else "-math.huge"
    return (
        repr(float(n)) if isinstance(n, float) else f"{n}.0" if abs(n) < 2**53 else repr(float(n))
    )


# ----- struct -----

INT_CODES = {"b": ("b", 8, True), "B": ("B", 8, False), "h": ("h", 16, True), "H": ("H", 16, False)}
INT_CODES |= {
    "i": ("i", 32, True),
    "I": ("I", 32, False),
    "l": ("q", 53, True),
    "L": ("Q", 53, False),
}


def _not_minus_zero(x: float) -> bool:
    """-0.0 as a direct argument of a library function reaches it as 0 (lupa hands a
    whole-number Lua value to Python as an int): a known difference from redis."""
    return not (x == 0 and math.copysign(1.0, x) < 0)


@st.composite
def struct_items(draw: st.DrawFn) -> list[tuple[str, str, Any]]:
    """(our code, Python's code, value) triples."""
    items: list[tuple[str, str, Any]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        kind = draw(st.sampled_from([*INT_CODES, "d", "f", "s", "c"]))
        if kind in INT_CODES:
            py, bits, signed = INT_CODES[kind]
            lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
            items.append((kind, py, draw(st.integers(min_value=lo, max_value=hi))))
        elif kind == "d":
            items.append(("d", "d", draw(st.floats(allow_nan=False).filter(_not_minus_zero))))
        elif kind == "f":
            items.append(
                ("f", "f", draw(st.floats(width=32, allow_nan=False).filter(_not_minus_zero)))
            )
        else:
            text = draw(st.binary(min_size=1, max_size=12).filter(lambda b: b"\0" not in b))
            if kind == "s":
                items.append(("s", f"{len(text) + 1}s", text))
            else:
                items.append((f"c{len(text)}", f"{len(text)}s", text))
    return items


@seed(SEED)
@settings(max_examples=150, deadline=None)
@given(struct_items(), st.sampled_from(["<", ">"]))
def test_struct_pack_matches_python_and_unpacks_back(
    box: LuaSandbox, items: list[tuple[str, str, Any]], endian: str
) -> None:
    fmt = endian + "".join(code for code, _, _ in items)
    args = [v if isinstance(v, bytes) else repr(float(v)).encode() for _, _, v in items]
    conv = ", ".join(
        f"ARGV[{i + 2}]" if isinstance(v, bytes) else f"tonumber(ARGV[{i + 2}])"
        for i, (_, _, v) in enumerate(items)
    )
    packed = run(box, f"return struct.pack(ARGV[1], {conv})", fmt.encode(), *args)
    expected = struct.pack(
        endian + "".join(py for _, py, _ in items),
        *[v + b"\0" if code == "s" else v for code, _, v in items],
    )
    assert packed == expected
    size = run(box, "return struct.size(ARGV[1])", fmt.encode()) if "s" not in fmt else None
    assert size is None or size == len(expected)
    back = run(
        box,
        "local r = {struct.unpack(ARGV[1], ARGV[2])} local out = {} "
        "for i = 1, #r do "
        "out[i] = type(r[i]) == 'number' and string.format('%.17g', r[i]) or r[i] end "
        "return table.concat(out, '\\0')",
        fmt.encode(),
        packed,
    )
    *values, next_position = back.split(b"\0")
    assert int(next_position) == len(packed) + 1
    for (_, _, v), got in zip(items, values, strict=True):
        assert got == v if isinstance(v, bytes) else float(got) == float(v)
