"""The Lua 5.1 interpreter (lupa) with redis 7.0's script environment.

:class:`LuaSandbox` owns one ``lupa.lua51.LuaRuntime`` (strings are bytes both ways), runs
``prelude.lua`` in it and keeps the functions it returns. The prelude asks its
:class:`ScriptHost` (the engine) for everything that touches the server: ``call``
(``redis.call``/``redis.pcall``), ``log``, ``setresp``, ``set_repl``, ``interrupt`` (the
kill hook), the random generator. Python's own Lua bridge (``python``) is removed.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any, Protocol

from lupa import lua51

from nodes.scripting import binary, bitop
from nodes.scripting.lrand48 import Lrand48

LuaTable = Any
"""A ``lupa`` table (``lupa.lua51._LuaTable``; lupa ships no type stubs)."""
LuaFunction = Any

VERSION = b"7.0.15"
VERSION_NUM = 0x0007000F


class LuaRaise(Exception):
    """Raised by a Python function called from Lua to raise ``value`` (an error table) as
    the Lua error; the prelude unwraps it (``error_value``)."""

    def __init__(self, value: object) -> None:
        super().__init__("Lua error")
        self.value = value


class ScriptHost(Protocol):
    """What the sandbox needs from the engine while a script runs."""

    def lua_call(self, raise_error: bool, *args: object) -> tuple[bool, object]:
        """``redis.call``/``redis.pcall``: ``(True, value)`` or ``(False, error table)``."""

    def lua_log(self, level: int, message: bytes) -> None: ...

    def lua_setresp(self, resp: int) -> None: ...

    def lua_set_repl(self, flags: int) -> None: ...

    def lua_acl_check_cmd(self, *args: object) -> tuple[bool, object]: ...

    def lua_interrupt(self) -> bool:
        """Called every 100000 Lua instructions of a timed run: True kills the script."""


def error_message(text: bytes) -> bytes:
    """redis's ``luaPushErrorBuff``: ``-CODE msg`` keeps its code, anything else gets
    ``ERR``; CR/LF are trimmed from both ends of the message."""
    if text.startswith(b"-"):
        code, sep, msg = text[1:].partition(b" ")
        if not sep:
            code, msg = b"ERR", text[1:]
    else:
        code, msg = b"ERR", text
    return code + b" " + msg.strip(b"\r\n")


def _c_function(fn: LuaFunction) -> object:
    """A Python callable around a Lua function returning ``ok, value``: returns the value
    or raises the error table (see the prelude's ``checked``)."""

    def call(*args: object) -> object:
        result = fn(*args)
        ok, value = result if isinstance(result, tuple) else (result, None)
        if not ok:
            raise LuaRaise(value)
        return value

    return call


def _lib_function(fn: LuaFunction) -> object:
    """A Python callable (a C function to Lua) around a guarded library function that
    returns ``true, values...`` or ``false, message``: returns the values or raises the
    message as the Lua error."""

    def call(*args: object) -> object:
        result = fn(*args)
        if not isinstance(result, tuple):
            result = (result,)
        if not result[0]:
            raise LuaRaise(result[1])
        return result[1:]

    return call


LIBRARIES = ("cjson", "struct", "cmsgpack")
"""The Lua sources (``<name>.lua`` beside the prelude) of the libraries redis embeds."""


def _error_value(err: object) -> object:
    return err.value if isinstance(err, LuaRaise) else None


class LuaSandbox:
    """One interpreter; ``compile``/``run_eval``/``run_function``/``load_library`` as in
    ``prelude.lua``. Not thread-safe (one script at a time, as redis)."""

    def __init__(self, host: ScriptHost) -> None:
        self.host = host
        self.random = Lrand48()
        self.runtime = lua51.LuaRuntime(
            encoding=None,
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
        )
        g = self.runtime.globals()
        g.python = None
        bridge = self.table(
            {
                b"call": self._call,
                b"pcall": self._pcall,
                b"error_value": _error_value,
                b"c_function": _c_function,
                b"error_table": self.error_table,
                b"sha1hex": lambda s: hashlib.sha1(s).hexdigest().encode(),
                b"log": host.lua_log,
                b"setresp": host.lua_setresp,
                b"set_repl": host.lua_set_repl,
                b"acl_check_cmd": host.lua_acl_check_cmd,
                b"interrupt": host.lua_interrupt,
                b"random": self.random.random,
                b"randomseed": self.random.seed,
                b"bit": self.table({k.encode(): f for k, f in bitop.FUNCTIONS.items()}),
                b"lib_function": _lib_function,
                b"binary": self.table({k.encode(): f for k, f in binary.FUNCTIONS.items()}),
                b"lib_sources": self.table(
                    {
                        name.encode(): resources.files("nodes.scripting")
                        .joinpath(f"{name}.lua")
                        .read_bytes()
                        for name in LIBRARIES
                    }
                ),
                b"version": VERSION,
                b"version_num": VERSION_NUM,
            }
        )
        source = resources.files("nodes.scripting").joinpath("prelude.lua").read_bytes()
        chunk = g.loadstring(source, b"@splitbrain_prelude")
        if isinstance(chunk, tuple):
            raise RuntimeError(f"prelude.lua does not compile: {chunk[1]!r}")
        api = chunk(bridge)
        self.compile_chunk: LuaFunction = api.compile
        self.run_eval: LuaFunction = api.run_eval
        self.run_function: LuaFunction = api.run_function
        self.load_library_chunk: LuaFunction = api.load_library
        self.rawget: LuaFunction = api.rawget
        self.next: LuaFunction = api.next
        self.lua_type: LuaFunction = api.type
        self.redis_api: LuaTable = api.redis

    def _call(self, *args: object) -> object:
        ok, value = self.host.lua_call(True, *args)
        if not ok:
            raise LuaRaise(value)
        return value

    def _pcall(self, *args: object) -> object:
        return self.host.lua_call(False, *args)[1]

    def table(self, items: dict[bytes, object] | None = None) -> LuaTable:
        """A new Lua table with these fields."""
        return self.runtime.table_from(items or {})

    def array(self, items: list[Any]) -> LuaTable:
        """A new Lua array (1-based) of these values."""
        return self.runtime.table_from(items)

    def error_table(self, text: bytes) -> LuaTable:
        """``{err = "CODE message"}`` (see :func:`error_message`)."""
        return self.runtime.table_from({b"err": error_message(text)})

    def compile(self, body: bytes, name: bytes) -> tuple[LuaFunction | None, bytes]:
        """Compile a chunk: ``(function, b"")`` or ``(None, Lua's error message)``."""
        fn, err = self.compile_chunk(body, name)
        return fn, (err or b"")
