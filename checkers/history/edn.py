"""Jepsen EDN histories (``history.edn``): one map per line, or one vector of maps.

Values become plain JSON-able Python: keywords and symbols become strings (without the
colon), vectors, lists and sets become lists (sets sorted when they can be), maps
become dicts. A small reader handles the shapes Jepsen writes (maps, vectors, lists,
sets, strings, keywords, numbers, nil, booleans) fast; anything else (tagged literals,
characters, comments) goes through the ``edn_format`` library.

Independent-key histories (``jepsen.independent``, ``:value [k v]``) are recognised
after reading, by ``checkers.history.keys``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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
    """The fast reader does not handle this text; use edn_format."""


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


def _plain(value: Any) -> Any:
    """An edn_format value as plain JSON-able Python."""
    import edn_format  # noqa: PLC0415 (slow to import; only for unusual EDN)

    if isinstance(value, edn_format.Keyword | edn_format.Symbol):
        return value.name
    if isinstance(value, edn_format.Char):
        return str(value)
    if isinstance(value, Mapping):
        return {_key(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return _sorted_set([_plain(v) for v in value])
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def loads(text: str) -> Any:
    """One EDN value (trailing whitespace allowed). Raises :class:`EdnSyntaxError`."""
    try:
        value, end = _fast(text)
        if text[end:].strip(" \t\r\n,"):
            raise _Unsupported(text[end:])
        return value
    except _Unsupported:
        pass
    import edn_format  # noqa: PLC0415 (slow to import; only for unusual EDN)

    try:
        return _plain(edn_format.loads(text))
    except Exception as e:
        raise EdnSyntaxError(str(e) or type(e).__name__) from e


def read_edn(path: str, text: str) -> list[Op]:
    """The events of an EDN history: one map per line, or a single vector of maps."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return _read_vector(path, text)
    ops: list[Op] = []
    atoms: dict[str, Any] = {}  # the same atoms recur on every line
    for lineno, line in enumerate(text.splitlines(), 1):
        if line[:1] != "{":  # the usual line starts with its map: no need to strip it
            stripped = line.strip()
            if not stripped or stripped[0] == ";":
                continue
        try:
            data = _flat_map(line, atoms)
            ops.append(op_from_map(loads(line) if data is None else data, len(ops)))
        except ValueError as e:
            raise HistoryFormatError(path, lineno, str(e)) from None
    return ops


def _read_vector(path: str, text: str) -> list[Op]:
    """A vector of maps, usually one per line: parse element by element for line numbers."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    body = lines[first].lstrip()[1:]
    rows = [
        (first + 1, body),
        *((i + 1, line) for i, line in enumerate(lines[first + 1 :], first + 1)),
    ]
    ops: list[Op] = []
    closed = False
    for lineno, line in rows:
        s = line.strip()
        if closed:
            if s:
                raise HistoryFormatError(path, lineno, "text after the closing ]")
            continue
        if (s.endswith("]") and not s.endswith("]}")) or s == "]":
            s = s[:-1].rstrip()
            closed = True
        if not s:
            continue
        try:
            value = loads(f"[{s}]")
            for item in value:
                ops.append(op_from_map(item, len(ops)))
        except ValueError as e:
            raise HistoryFormatError(path, lineno, str(e)) from None
    if not closed:
        raise HistoryFormatError(path, len(lines), "vector not closed with ]")
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
