"""FUNCTION libraries (redis's ``functions.c`` / ``function_lua.c``): loading a library
runs its code once with ``redis.register_function`` available; each registered function
keeps its Lua callback, description and flags. DUMP/RESTORE use redis's payload format
(``RDB_OPCODE_FUNCTION2`` + the code per library, RDB version 10, CRC64)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nodes.errors import CommandError
from nodes.rdb.crc64 import crc64
from nodes.rdb.format import string as rdb_string
from nodes.rdb.reader import Reader as RdbReader
from nodes.resp.parser import split_args
from nodes.scripting.sandbox import LuaFunction, LuaRaise
from nodes.scripting.shebang import FLAG_NAMES, ScriptFlags

if TYPE_CHECKING:
    from nodes.scripting.engine import ScriptEngine

_NAME = re.compile(rb"[A-Za-z0-9_]+\Z")
_BAD_NAME = (
    "Library names can only contain letters, numbers, or underscores(_) and must be at "
    "least one character long"
)
_OPCODE_FUNCTION2 = 245
_RDB_VERSION = 10


@dataclass(slots=True)
class LibraryFunction:
    name: bytes
    callback: LuaFunction = field(repr=False)
    description: bytes | None
    flags: ScriptFlags
    library: bytes


@dataclass(slots=True)
class Library:
    name: bytes
    code: bytes
    functions: dict[bytes, LibraryFunction] = field(default_factory=dict)


class FunctionStore:
    """The loaded libraries and the function index (names are global across libraries)."""

    def __init__(self) -> None:
        self.libraries: dict[bytes, Library] = {}
        self.functions: dict[bytes, LibraryFunction] = {}

    def flush(self) -> None:
        self.libraries.clear()
        self.functions.clear()

    def delete(self, name: bytes) -> None:
        lib = self.libraries.pop(name, None)
        if lib is None:
            raise CommandError("Library not found")
        for fn in lib.functions:
            self.functions.pop(fn, None)

    def load(self, engine: ScriptEngine, code: bytes, replace: bool) -> bytes:
        """FUNCTION LOAD: the library's name, or redis's error (nothing changes then)."""
        name, body = _metadata(code)
        if not _NAME.match(name):
            raise CommandError(_BAD_NAME)
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise CommandError(b"Library '" + name + b"' already exists")
        lib = Library(name, code)
        _run_library(engine, lib, body)
        if not lib.functions:
            raise CommandError("No functions registered")
        for fn in lib.functions:
            owner = self.functions.get(fn)
            if owner is not None and owner.library != name:
                raise CommandError(b"Function " + fn + b" already exists")
        if old is not None:
            self.delete(name)
        self.libraries[name] = lib
        self.functions.update(lib.functions)
        return name

    def dump(self) -> bytes:
        payload = b"".join(
            bytes([_OPCODE_FUNCTION2]) + rdb_string(lib.code, compress=False)
            for lib in self.libraries.values()
        )
        payload += _RDB_VERSION.to_bytes(2, "little")
        return payload + crc64(payload).to_bytes(8, "little")

    def restore(self, engine: ScriptEngine, payload: bytes, policy: bytes) -> None:
        """FUNCTION RESTORE with FLUSH, APPEND or REPLACE (all or nothing)."""
        if len(payload) < 10:
            raise CommandError("DUMP payload version or checksum are wrong")
        body, version, crc = payload[:-10], payload[-10:-8], payload[-8:]
        if (
            int.from_bytes(version, "little") > _RDB_VERSION
            or crc64(payload[:-8]).to_bytes(8, "little") != crc
        ):
            raise CommandError("DUMP payload version or checksum are wrong")
        reader = RdbReader(body)
        codes: list[bytes] = []
        try:
            while reader.pos < len(body):
                if reader.byte() != _OPCODE_FUNCTION2:
                    raise CommandError("given type is not a function")
                codes.append(reader.string())
        except CommandError:
            raise
        except Exception:
            raise CommandError("can not read data type") from None
        staged = FunctionStore()
        for code in codes:
            staged.load(engine, code, replace=False)
        if policy == b"flush":
            self.libraries, self.functions = staged.libraries, staged.functions
            return
        libraries = dict(self.libraries)
        for name in staged.libraries:
            if name in libraries:
                if policy != b"replace":
                    raise CommandError(b"Library " + name + b" already exists")
                del libraries[name]
        functions = {f: fn for lib in libraries.values() for f, fn in lib.functions.items()}
        for fn_name in staged.functions:
            if fn_name in functions:
                raise CommandError(b"Function " + fn_name + b" already exists")
        libraries.update(staged.libraries)
        functions.update(staged.functions)
        self.libraries, self.functions = libraries, functions


def _metadata(code: bytes) -> tuple[bytes, bytes]:
    """``#!lua name=<lib>`` -> (name, code after the shebang, newline kept)."""
    if not code.startswith(b"#!"):
        raise CommandError("Missing library metadata")
    end = code.find(b"\n")
    if end < 0:
        raise CommandError("Invalid library metadata")
    parts = split_args(code[:end])
    if not parts:
        raise CommandError("Invalid library metadata")
    engine_name = parts[0][2:]
    name: bytes | None = None
    for part in parts[1:]:
        if part[:5].lower() == b"name=":
            if name is not None:
                raise CommandError("Invalid metadata value, name argument was given multiple times")
            name = part[5:]
            continue
        raise CommandError(b"Invalid metadata value given: " + part)
    if name is None:
        raise CommandError("Library name was not given")
    if not _NAME.match(name):
        raise CommandError(_BAD_NAME)
    if engine_name.upper() != b"LUA":
        raise CommandError(b"Engine '" + engine_name + b"' not found")
    return name, code[end:]


def _run_library(engine: ScriptEngine, lib: Library, body: bytes) -> None:
    box = engine.function_box
    engine.active = box
    fn, err = box.compile(body, b"@user_function")
    if fn is None:
        raise CommandError(b"Error compiling function: " + err)

    def register(*args: Any) -> None:
        result = _register_args(box, args)
        if isinstance(result, bytes):
            raise LuaRaise(box.error_table(result))
        name, callback, description, flags = result
        if not _NAME.match(name):
            raise LuaRaise(box.error_table(_BAD_NAME.encode()))
        if name in lib.functions:
            raise LuaRaise(box.error_table(b"Function already exists in the library"))
        lib.functions[name] = LibraryFunction(name, callback, description, flags, lib.name)

    loader = box.table(
        {
            b"register_function": register,
            b"log": box.redis_api.log,
            b"LOG_DEBUG": 0,
            b"LOG_VERBOSE": 1,
            b"LOG_NOTICE": 2,
            b"LOG_WARNING": 3,
            b"REDIS_VERSION": box.redis_api.REDIS_VERSION,
            b"REDIS_VERSION_NUM": box.redis_api.REDIS_VERSION_NUM,
        }
    )
    ok, value = box.load_library_chunk(fn, loader, False)
    if not ok:
        msg = box.rawget(value, b"err") if box.lua_type(value) == b"table" else value
        text = msg if isinstance(msg, bytes) else b""
        raise CommandError(b"Error registering functions: " + text)


def _register_args(
    box: Any, args: tuple[Any, ...]
) -> tuple[bytes, LuaFunction, bytes | None, ScriptFlags] | bytes:
    """``redis.register_function(name, fn)`` or ``({function_name=, callback=,
    description=, flags=})``: the parts or the error text."""
    if len(args) < 1 or len(args) > 2:
        return b"wrong number of arguments to redis.register_function"
    if len(args) == 2:
        name, callback = args
        if isinstance(name, int | float) and not isinstance(name, bool):
            name = b"%d" % name if float(name).is_integer() else b"%.14g" % name
        if not isinstance(name, bytes):
            return b"first argument to redis.register_function must be a string"
        if box.lua_type(callback) != b"function":
            return b"second argument to redis.register_function must be a function"
        return name, callback, None, ScriptFlags()
    table = args[0]
    if box.lua_type(table) != b"table":
        return (
            b"calling redis.register_function with a single argument is only applicable "
            b"to Lua table (representing named arguments)."
        )
    name = description = callback = None
    flags = ScriptFlags()
    entry = box.next(table, None)
    while entry is not None and entry[0] is not None:
        key, value = entry
        if not isinstance(key, bytes):
            return b"named argument key given to redis.register_function is not a string"
        k = key.lower()
        if k == b"function_name":
            if not isinstance(value, bytes):
                return b"function_name argument given to redis.register_function must be a string"
            name = value
        elif k == b"description":
            if not isinstance(value, bytes):
                return b"description argument given to redis.register_function must be a string"
            description = value
        elif k == b"callback":
            if box.lua_type(value) != b"function":
                return b"callback argument given to redis.register_function must be a function"
            callback = value
        elif k == b"flags":
            if box.lua_type(value) != b"table":
                return (
                    b"flags argument to redis.register_function must be a table representing "
                    b"function flags"
                )
            names: set[bytes] = set()
            i = 1
            while (flag := box.rawget(value, i)) is not None:
                if not isinstance(flag, bytes) or flag.lower() not in FLAG_NAMES:
                    return b"unknown flag given"
                names.add(flag.lower())
                i += 1
            flags = ScriptFlags(frozenset(names))
        else:
            return b"unknown argument given to redis.register_function"
        entry = box.next(table, key)
    if name is None:
        return b"redis.register_function must get a function name argument"
    if callback is None:
        return b"redis.register_function must get a callback argument"
    return name, callback, description, flags
