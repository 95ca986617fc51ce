"""Reply <-> Lua value conversion by redis 7.0's rules (``script_lua.c``).

Command reply -> Lua (what ``redis.call`` returns), by the script's RESP version
(``redis.setresp``): integers -> numbers, bulk strings -> strings, null -> ``false`` (RESP2)
or ``nil`` (RESP3 null), status -> ``{ok=...}``, error -> ``{err=...}``, arrays -> tables;
RESP3 only: maps -> ``{map={...}}``, sets -> ``{set={member=true}}``, booleans, doubles ->
``{double=n}``, verbatim strings -> ``{verbatim_string={format=, string=}}``.

Lua -> reply (what a script returns): strings -> bulk, numbers -> integers (truncated),
``true`` -> 1 and ``false`` -> null (RESP2 script) or booleans (RESP3), tables: ``err`` ->
error, ``ok`` -> status, ``double``/``big_number``/``verbatim_string``/``map``/``set``, else an
array up to the first ``nil``; anything else -> null.
"""

from __future__ import annotations

import math
from typing import Any

import hiredis

from nodes.resp.encoder import format_double
from nodes.resp.values import (
    NULL_ARRAY,
    Error,
    Push,
    Raw,
    Reply,
    SetReply,
    Simple,
    Verbatim,
)
from nodes.scripting.sandbox import LuaSandbox, LuaTable, error_message

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def reply_to_lua(box: LuaSandbox, reply: Reply, resp: int) -> Any:
    """A command's reply as the Lua value ``redis.call`` hands the script."""
    kind = type(reply)
    if kind is bytes or kind is int:
        return reply
    if reply is None or reply is NULL_ARRAY:
        return False if resp == 2 else None
    if kind is Simple:
        assert isinstance(reply, Simple)
        return box.table({b"ok": reply.text})
    if kind is Error:
        assert isinstance(reply, Error)
        return box.error_table(b"-" + reply.text)
    if kind is list:
        assert isinstance(reply, list)
        return box.array([reply_to_lua(box, item, resp) for item in reply])
    if kind is bool:
        if resp == 2:
            return 1 if reply else 0
        return reply
    if kind is float:
        assert isinstance(reply, float)
        if resp == 2:
            return format_double(reply)
        return box.table({b"double": reply})
    if kind is dict:
        assert isinstance(reply, dict)
        if resp == 2:
            flat: list[Any] = []
            for key, value in reply.items():
                flat.append(reply_to_lua(box, key, resp))
                flat.append(reply_to_lua(box, value, resp))
            return box.array(flat)
        inner = box.table()
        for key, value in reply.items():
            inner[reply_to_lua(box, key, resp)] = reply_to_lua(box, value, resp)
        return box.table({b"map": inner})
    if kind is SetReply or kind is Push:
        assert isinstance(reply, SetReply | Push)
        if resp == 2 or kind is Push:
            return box.array([reply_to_lua(box, item, resp) for item in reply.items])
        members = box.table()
        for item in reply.items:
            members[reply_to_lua(box, item, resp)] = True
        return box.table({b"set": members})
    if kind is Verbatim:
        assert isinstance(reply, Verbatim)
        if resp == 2:
            return reply.text
        return box.table(
            {b"verbatim_string": box.table({b"format": reply.fmt, b"string": reply.text})}
        )
    if kind is Raw:
        assert isinstance(reply, Raw)
        return _raw_to_lua(box, reply.wire, resp)
    raise TypeError(f"not a reply value: {reply!r}")


def _raw_to_lua(box: LuaSandbox, wire: bytes, resp: int) -> Any:
    """A pre-encoded reply (parsed by hiredis, RESP2 forms only)."""
    if wire.startswith(b"+"):
        return box.table({b"ok": wire[1:-2]})
    if wire.startswith(b"-"):
        return box.error_table(wire[:-2])
    reader = hiredis.Reader()
    reader.feed(wire)
    value = reader.gets()
    if value is False:
        return None

    def to_lua(v: Any) -> Any:
        if isinstance(v, list):
            return box.array([to_lua(x) for x in v])
        if v is None:
            return False if resp == 2 else None
        if isinstance(v, hiredis.ReplyError):
            return box.error_table(b"-" + str(v).encode())
        return v

    return to_lua(value)


def lua_to_reply(box: LuaSandbox, value: Any, script_resp: int, caller_resp: int) -> Reply:
    """A script's return value as the reply to its caller."""
    kind = type(value)
    if kind is bytes:
        return value  # type: ignore[no-any-return]
    if kind is int or kind is float:
        return _truncate(value)
    if kind is bool:
        if script_resp == 2:
            return 1 if value else None
        return bool(value)
    if value is None or box.lua_type(value) != b"table":
        return None
    return _table_to_reply(box, value, script_resp, caller_resp)


def _table_to_reply(box: LuaSandbox, t: LuaTable, script_resp: int, caller_resp: int) -> Reply:
    rawget = box.rawget
    err = rawget(t, b"err")
    if type(err) is bytes:
        return Error(err.replace(b"\r", b" ").replace(b"\n", b" "))
    ok = rawget(t, b"ok")
    if type(ok) is bytes:
        return Simple(ok.replace(b"\r", b" ").replace(b"\n", b" "))
    double = rawget(t, b"double")
    if type(double) is int or type(double) is float:
        return float(double)
    big = rawget(t, b"big_number")
    if type(big) is bytes:
        text = big.replace(b"\r", b" ").replace(b"\n", b" ")
        return Raw(b"(" + text + b"\r\n") if caller_resp == 3 else text
    verbatim = rawget(t, b"verbatim_string")
    if verbatim is not None and box.lua_type(verbatim) == b"table":
        fmt = rawget(verbatim, b"format")
        text = rawget(verbatim, b"string")
        if type(fmt) is bytes and type(text) is bytes:
            return Verbatim(text, fmt)
    mapping = rawget(t, b"map")
    if mapping is not None and box.lua_type(mapping) == b"table":
        out: dict[Any, Reply] = {}
        entry = box.next(mapping, None)
        while entry is not None and entry[0] is not None:
            k, v = entry
            key = lua_to_reply(box, k, script_resp, caller_resp)
            if not isinstance(key, list | dict | SetReply):  # a table as a key: dropped
                out[key] = lua_to_reply(box, v, script_resp, caller_resp)
            entry = box.next(mapping, k)
        return out
    members = rawget(t, b"set")
    if members is not None and box.lua_type(members) == b"table":
        items: list[Reply] = []
        entry = box.next(members, None)
        while entry is not None and entry[0] is not None:
            items.append(lua_to_reply(box, entry[0], script_resp, caller_resp))
            entry = box.next(members, entry[0])
        return SetReply(items)
    array: list[Reply] = []
    i = 1
    while True:
        item = rawget(t, i)
        if item is None:
            break
        array.append(lua_to_reply(box, item, script_resp, caller_resp))
        i += 1
    return array


def _truncate(number: int | float) -> int:
    """C's ``(long long)`` cast as x86 does it (out of range and NaN -> INT64_MIN)."""
    if isinstance(number, float):
        if math.isnan(number) or not (-9.223372036854775808e18 <= number < 9.223372036854775808e18):
            return _INT64_MIN
        return int(number)
    if number < _INT64_MIN or number > _INT64_MAX:
        return _INT64_MIN
    return number


__all__ = ["error_message", "lua_to_reply", "reply_to_lua"]
