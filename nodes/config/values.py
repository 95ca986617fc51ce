"""Typing one option's value as redis-server 7.0 does: the same accepted forms, the same
canonical CONFIG GET text, the same error reasons.

:func:`parse` turns the words given for an option (one word from CONFIG SET or a
single-value directive; several for ``multi-arg`` options) into the canonical text, or
raises ``ValueError`` whose message is redis's reason (``argument must be 'yes' or
'no'``), which callers wrap in their own context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nodes.config.numbers import memtoull, string2ll
from nodes.config.special import special
from nodes.config.table import Option

_U64 = 2**64
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_HOSTNAME_CHARS = re.compile(r"[A-Za-z0-9.-]*")
_TITLE_VARIABLES = ("title", "listen-addr", "server-mode", "config-file", "port", "tls-port")
HZ_MIN, HZ_MAX = 1, 500


def parse_memory(text: str) -> int | None:
    """A memory value as a Python int (None when redis would refuse it)."""
    return memtoull(text)


def _signed(value: int) -> int:
    return value - _U64 if value > _I64_MAX else value


def _strtoll_octal(text: str) -> int | None:
    if text == "":
        return 0
    match = re.fullmatch(r"[ \t\n\r\f\v]*([+-]?)([0-7]+)", text)
    if match is None:
        return None
    value = int(match.group(2), 8)
    value = -value if match.group(1) == "-" else value
    return value if _I64_MIN <= value <= _I64_MAX else None


def _number(opt: Option, text: str) -> int:
    memory = opt.kind in ("memory", "umemory", "percent")
    if memory:
        parsed = memtoull(text)
        if parsed is not None:
            return _signed(parsed)
    if opt.kind == "percent" and len(text) > 1 and text.endswith("%"):
        share = string2ll(text[:-1])
        if share is not None and share >= 0:
            return -share
    if opt.kind == "octal":
        octal = _strtoll_octal(text)
        if octal is not None:
            return octal
        raise ValueError("argument couldn't be parsed as an octal number")
    if not memory:
        plain = string2ll(text)
        if plain is not None:
            return plain
        raise ValueError("argument couldn't be parsed into an integer")
    if opt.kind == "percent":
        raise ValueError("argument must be a memory or percent value")
    raise ValueError("argument must be a memory value")


def _check_range(opt: Option, value: int) -> None:
    if opt.kind in ("uint", "umemory", "octal"):
        unsigned = value % _U64
        if not opt.lo <= unsigned <= opt.hi:
            if opt.kind == "octal":
                raise ValueError(f"argument must be between {opt.lo:o} and {opt.hi:o} inclusive")
            raise ValueError(f"argument must be between {opt.lo} and {opt.hi} inclusive")
        return
    if opt.kind == "percent" and value < 0:
        if value < opt.lo:
            raise ValueError(f"percentage argument must be less or equal to {-opt.lo}")
        return
    if not opt.lo <= value <= opt.hi:
        raise ValueError(f"argument must be between {opt.lo} and {opt.hi} inclusive")


def _show_number(opt: Option, value: int) -> str:
    if opt.kind == "percent" and value < 0:
        return f"{-value}%"
    if opt.kind in ("memory", "umemory", "percent"):
        return str(value % _U64)
    if opt.kind == "octal":
        return f"{value:o}"
    if opt.name == "hz":
        return str(max(HZ_MIN, min(HZ_MAX, value)))
    return str(value)


def number_of(opt: Option, canonical: str) -> int:
    """The stored number behind a canonical numeric text (``10%`` is -10)."""
    if canonical.endswith("%"):
        return -int(canonical[:-1])
    if opt.kind == "octal":
        return int(canonical, 8)
    return int(canonical)


def _enum_error(opt: Option) -> ValueError:
    text = "argument(s) must be one of the following: " + ", ".join(opt.choices)
    return ValueError(text[:255])


def _enum(opt: Option, words: Sequence[str]) -> str:
    if len(words) != 1:
        raise _enum_error(opt)
    low = words[0].lower()
    if low not in opt.choices:
        raise _enum_error(opt)
    return dict(opt.synonyms).get(low, low)


def _flags(opt: Option, words: Sequence[str]) -> str:
    if not words:
        raise _enum_error(opt)
    chosen: set[str] = set()
    for word in words:
        low = word.lower()
        if low not in opt.choices:
            raise _enum_error(opt)
        if low != opt.choices[0]:
            chosen.add(low)
    if {"save", "nosave"} <= chosen:
        raise ValueError("shutdown options SAVE and NOSAVE can't be used simultaneously")
    return " ".join(c for c in opt.choices[1:] if c in chosen) or opt.choices[0]


def _is_basename(path: str) -> bool:
    return "/" not in path and "\\" not in path


def _title_ok(template: str) -> bool:
    out = ""
    rest = template
    while rest:
        start = rest.find("{")
        if start < 0:
            out += rest
            break
        out += rest[:start]
        rest = rest[start + 1 :]
        if not rest:
            return False
        if rest[0] == "{":
            out += "{"
            rest = rest[1:]
            continue
        end = rest.find("}")
        if end < 0 or rest[:end] not in _TITLE_VARIABLES:
            return False
        out += "" if rest[:end] in ("title", "server-mode") else "x"
        rest = rest[end + 1 :]
    return bool(out.strip(" "))


def _string(opt: Option, value: str) -> str:
    name = opt.name
    if name == "dbfilename" and not _is_basename(value):
        raise ValueError("dbfilename can't be a path, just a filename")
    if name in ("appendfilename", "appenddirname"):
        if value == "":
            raise ValueError(f"{name} can't be empty")
        if not _is_basename(value):
            what = "filename" if name == "appendfilename" else "dirname"
            raise ValueError(f"{name} can't be a path, just a {what}")
    if name == "cluster-announce-hostname":
        if len(value.encode()) >= 256:
            raise ValueError("Hostnames must be less than 256 characters")
        if not _HOSTNAME_CHARS.fullmatch(value):
            raise ValueError("Hostnames may only contain alphanumeric characters, hyphens or dots")
    if name == "proc-title-template" and not _title_ok(value):
        raise ValueError("template format is invalid or contains unknown variables")
    return value


def parse(opt: Option, words: Sequence[str], current: str, *, appending: bool = False) -> str:
    """The canonical text for ``words`` given to ``opt`` (``current`` is its value now:
    buffer limits merge per class; ``appending``: a config file's later ``save`` lines
    add to its first one). Raises ``ValueError`` with redis's reason."""
    if opt.kind == "special":
        return special(opt, words, current, appending)
    if opt.kind == "flags":
        return _flags(opt, words)
    if len(words) != 1:
        raise ValueError("wrong number of arguments")
    word = words[0]
    if opt.kind == "bool":
        low = word.lower()
        if low not in ("yes", "no"):
            raise ValueError("argument must be 'yes' or 'no'")
        if opt.name == "activedefrag" and low == "yes":
            raise ValueError(
                "Active defragmentation cannot be enabled: it requires a Redis server "
                "compiled with a modified Jemalloc like the one shipped by default with the "
                "Redis source distribution"
            )
        return low
    if opt.kind == "enum":
        return _enum(opt, words)
    if opt.kind == "string":
        return _string(opt, word)
    value = _number(opt, word)
    _check_range(opt, value)
    return _show_number(opt, value)
