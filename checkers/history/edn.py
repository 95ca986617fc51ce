"""Jepsen and Knossos EDN histories (``history.edn``): maps one after another (one per
line, or over several lines), or the whole file one vector or list of maps; ``;``
comments anywhere.

Values become plain JSON-able Python: keywords and symbols become strings (without the
colon), vectors, lists and sets become lists (sets sorted when they can be), maps
become dicts, tagged literals their value. A small reader handles the usual file (one
map per line of maps, vectors, lists, sets, strings, keywords, numbers, nil, booleans)
fast; anything else (maps over several lines, comments after a map, tagged literals,
characters, escapes) is read by ``checkers.history.edn_reader``, which also names the
line of any error.

Independent-key histories (``jepsen.independent``, ``:value [k v]``) are recognised
after reading, by ``checkers.history.keys``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from base.op import NEMESIS, Op
from checkers.history.errors import HistoryFormatError
from checkers.history.json_forms import op_from_map

# Patterns given as text are compiled on first use (``re`` caches them): compiling every
# pattern at import costs start-up time that most histories never repay.
_TOKEN = (
    r'[\s,]*(?:(#\{|[{}\[\]()])|"((?:[^"\\]|\\["\\nt])*)"|([^\s,{}\[\]()"#;\\][^\s,{}\[\]()"]*))'
)
_INT = r"[-+]?\d+N?"
_FLOAT = r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?"
_CLOSER = {"{": "}", "[": "]", "(": ")", "#{": "}"}
_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}
_ESCAPE = r'\\["\\nt]'


_FLAT_PAIR = re.compile(r'[\s,]*:([\w?!*+<>=./-]+)\s+("[^"\\]*"|[^\s,{}\[\]()"#;\\]+)')
_FLAT_END = re.compile(r"[\s,]*\}\s*")
"""The usual shape of a history line: a map of keywords to atoms and plain strings."""


def _flat_map(line: str, atoms: dict[str, Any]) -> dict[str, Any] | None:
    """``line`` as a dict if it is a flat map of keywords to atoms and plain strings,
    else None. ``atoms`` caches parsed atoms."""
    if not line.startswith("{"):
        return None
    data: dict[str, Any] = {}
    pos = 1
    match = _FLAT_PAIR.match
    while True:
        m = match(line, pos)
        if m is None:
            return data if _FLAT_END.fullmatch(line, pos) else None
        k, v = m.groups()
        pos = m.end()
        if v[0] == '"':
            data[k] = v[1:-1]
            continue
        atom = atoms.get(v, atoms)
        if atom is atoms:
            atom = atoms[v] = _atom(v)
        data[k] = atom


class _Unsupported(Exception):
    """The fast reader does not handle this text; use ``edn_reader``."""


class EdnSyntaxError(ValueError):
    """Text that is not EDN."""


def _atom(text: str) -> Any:
    if text[0] == ":":
        return text[1:]
    if text == "nil":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if re.fullmatch(_INT, text):
        return int(text.rstrip("N"))
    if re.fullmatch(_FLOAT, text):
        return float(text.rstrip("M"))
    if text[0].isdigit():
        raise EdnSyntaxError(f"bad number {text!r}")
    return text  # a symbol


def _sorted_set(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return items


def _fast(text: str) -> tuple[Any, int]:
    """Parse one EDN value starting at 0; returns it and the end position."""
    stack: list[tuple[str, list[Any]]] = []
    pos = 0
    token = re.compile(_TOKEN).match
    while True:
        m = token(text, pos)
        if m is None:
            rest = text[pos:].lstrip(" \t\r\n,")
            if not rest:
                raise EdnSyntaxError("unexpected end of input")
            raise _Unsupported(rest[:20])
        pos = m.end()
        bracket, string, atom = m.groups()
        value: Any
        if bracket is not None:
            if bracket in _CLOSER:
                stack.append((bracket, []))
                continue
            if not stack or _CLOSER[stack[-1][0]] != bracket:
                raise EdnSyntaxError(f"unexpected {bracket!r}")
            opener, items = stack.pop()
            if opener == "{":
                if len(items) % 2:
                    raise EdnSyntaxError("map with an odd number of forms")
                value = {_key(items[i]): items[i + 1] for i in range(0, len(items), 2)}
            elif opener == "#{":
                value = _sorted_set(items)
            else:
                value = items
        elif string is not None:
            value = (
                re.sub(_ESCAPE, lambda e: _ESCAPES[e.group()], string) if "\\" in string else string
            )
        elif atom is not None:
            value = _atom(atom)
        else:  # pragma: no cover - the pattern always captures one group
            raise _Unsupported(text[pos:])
        if not stack:
            return value, pos
        stack[-1][1].append(value)


def _key(k: Any) -> Any:
    if isinstance(k, list):
        return tuple(k)
    return k


def loads(text: str) -> Any:
    """One EDN value (trailing whitespace allowed). Raises :class:`EdnSyntaxError`."""
    try:
        value, end = _fast(text)
        if text[end:].strip(" \t\r\n,"):
            raise _Unsupported(text[end:])
        return value
    except (_Unsupported, EdnSyntaxError):
        pass
    from checkers.history.edn_reader import EdnError, read_one  # noqa: PLC0415 (on use)

    try:
        return read_one(text)
    except EdnError as e:
        raise EdnSyntaxError(e.message) from None


def read_edn(path: str, text: str) -> list[Op]:
    """The events of an EDN history: maps one after another (usually one per line), or
    one vector or list of maps, with comments anywhere. Raises
    :class:`HistoryFormatError` naming the line and what was expected."""
    ops = _read_lines(text)
    return ops if ops is not None else _read_forms(path, text)


def _read_lines(text: str) -> list[Op] | None:
    """The fast path for the usual shapes: one map per line, between an opening ``[``
    or ``(`` on the first line and its closer on the last, comments on their own lines.
    None when anything is unusual (or wrong): :func:`_read_forms` then reads the text
    and names the line of any error."""
    lines = text.splitlines()
    content = [i for i, line in enumerate(lines) if line.strip()[:1] not in ("", ";")]
    if not content:
        return []
    first, last = content[0], content[-1]
    head = lines[first].lstrip()
    if head[0] in "[(":
        closer = "]" if head[0] == "[" else ")"
        lines[first] = head[1:]
        tail = lines[last].rstrip()
        if not tail.endswith(closer):
            return None
        lines[last] = tail[:-1]
    ops: list[Op] = []
    atoms: dict[str, Any] = {}  # the same atoms recur on every line
    for i in content:
        line = lines[i]
        if line[:1] != "{":  # the usual line starts with its map: no need to strip it
            line = line.strip()
            if not line:
                continue
        try:
            data = _flat_map(line, atoms)
            if data is None:
                data, end = _fast(line)
                if line[end:].strip(" \t\r\n,"):
                    return None
            ops.append(op_from_map(data, len(ops)))
        except (ValueError, _Unsupported):
            return None
    return ops


def _read_forms(path: str, text: str) -> list[Op]:
    from checkers.history.edn_reader import (  # noqa: PLC0415 (only for unusual files)
        EdnError,
        describe,
        read_events,
    )

    ops: list[Op] = []
    try:
        for line, value in read_events(text):
            if not isinstance(value, dict):
                raise HistoryFormatError(
                    path, line, f"expected a map (one event), got {describe(value)}"
                )
            try:
                ops.append(op_from_map(value, len(ops)))
            except ValueError as e:
                raise HistoryFormatError(path, line, str(e)) from None
    except EdnError as e:
        raise HistoryFormatError(path, e.line, e.message) from None
    return ops


def dumps(value: Any) -> str:
    """``value`` (plain Python) as EDN; dict keys that are strings become keywords."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_dump_key(k)} {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + " ".join(dumps(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "#{" + " ".join(dumps(v) for v in _sorted_set(list(value))) + "}"
    raise ValueError(f"cannot write {type(value).__name__} as EDN")


_KEYWORD = r"[A-Za-z*+!_?<>=-][\w*+!?<>=./-]*"


def _dump_key(k: Any) -> str:
    if isinstance(k, str) and re.fullmatch(_KEYWORD, k):
        return ":" + k
    return dumps(k)


def _keyword(name: str) -> str:
    return ":" + name if re.fullmatch(_KEYWORD, name) else dumps(name)


def op_to_edn(op: Op) -> str:
    """One event as a Jepsen EDN map; a keyed event's value becomes ``[k v]``."""
    data = op.to_json()
    key = data.pop("key", None)
    parts = [
        f":index {op.index}",
        f":time {op.time_ns}",
        f":type :{op.type.value}",
        f":process {':' + NEMESIS if op.process == NEMESIS else dumps(op.process)}",
        f":f {_keyword(op.f)}",
        f":value {dumps([key, op.value] if key is not None else op.value)}",
    ]
    for name, v in data.items():
        if name not in ("index", "time", "type", "process", "f", "value"):
            parts.append(f"{_dump_key(name)} {dumps(v)}")
    return "{" + ", ".join(parts) + "}"


def write_edn(ops: Iterable[Op]) -> Iterator[str]:
    """Lines of a ``history.edn`` (one map per line, each ending in a newline)."""
    for op in ops:
        yield op_to_edn(op) + "\n"
