"""JSON histories: our ``history.jsonl`` (one ``Op.to_json()`` object per line) and
elle-cli's JSON (the same maps with string keys and values, as one array or one object
per line). Both readers accept both shapes; the writers differ only in layout.

``json`` is imported by the functions that use it: the EDN and log readers share
:func:`op_from_map` and should not pay for it at start-up."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from base.op import Op
from checkers.history.errors import HistoryFormatError


def op_from_map(data: Any, position: int | None = None) -> Op:
    """The event of a parsed map (JSON object or EDN map, a fresh dict: it may be
    completed in place); a key that is not a string becomes one; ``position`` is the
    index when the map has none. Raises ``ValueError`` naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a map, got {type(data).__name__}")
    key = data.get("key")
    if key is not None and not isinstance(key, str):
        data["key"] = str(key)
    if position is not None and "index" not in data:
        data["index"] = position
    return Op.from_json(data)


def read_json(path: str, text: str) -> list[Op]:
    """Events from JSON lines or from one JSON array (parsed element by element so that
    an error names the element's line)."""
    import json  # noqa: PLC0415 (start-up time; see the module docstring)

    ops: list[Op] = []
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    in_array = pos < len(text) and text[pos] == "["
    if not in_array:
        return _read_lines(path, text)
    if in_array:
        pos = _skip(text, pos + 1)
    while pos < len(text):
        if in_array and text[pos] == "]":
            pos = _skip(text, pos + 1)
            if pos < len(text):
                raise HistoryFormatError(path, _line(text, pos), "text after the closing ]")
            in_array = False
            break
        try:
            data, end = decoder.raw_decode(text, pos)
            ops.append(op_from_map(data))
        except json.JSONDecodeError as e:
            raise HistoryFormatError(path, e.lineno, f"bad JSON: {e.msg}") from None
        except ValueError as e:
            raise HistoryFormatError(path, _line(text, pos), str(e)) from None
        pos = _skip(text, end, allow_comma=in_array)
    if in_array:
        raise HistoryFormatError(path, _line(text, len(text)), "array not closed with ]")
    return [op if op.index >= 0 else replace(op, index=i) for i, op in enumerate(ops)]


def _read_lines(path: str, text: str, skipped: list[HistoryFormatError] | None = None) -> list[Op]:
    """Events from JSON lines. A bad line raises, or, given ``skipped``, is appended to
    it as its error and left out."""
    import json  # noqa: PLC0415 (start-up time; see the module docstring)

    ops: list[Op] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            ops.append(op_from_map(json.loads(line)))
        except ValueError as e:  # json.JSONDecodeError is a ValueError
            msg = f"bad JSON: {e.msg}" if isinstance(e, json.JSONDecodeError) else str(e)
            if skipped is None:
                raise HistoryFormatError(path, lineno, msg) from None
            skipped.append(HistoryFormatError(path, lineno, msg))
    return [op if op.index >= 0 else replace(op, index=i) for i, op in enumerate(ops)]


def read_jsonl_skipping(path: str, text: str) -> tuple[list[Op], list[HistoryFormatError]]:
    """The events of a ``history.jsonl`` text, and the error of each line left out (the
    reports show what they could read, and say what they could not)."""
    skipped: list[HistoryFormatError] = []
    return _read_lines(path, text, skipped), skipped


def _skip(text: str, pos: int, allow_comma: bool = True) -> int:
    n = len(text)
    while pos < n and (text[pos] in " \t\r\n" or (allow_comma and text[pos] == ",")):
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def write_jsonl(ops: Iterable[Op]) -> Iterator[str]:
    """Lines of a ``history.jsonl``."""
    import json  # noqa: PLC0415 (start-up time; see the module docstring)

    for op in ops:
        yield json.dumps(op.to_json(), separators=(",", ":")) + "\n"


def write_elle_json(ops: Iterable[Op]) -> Iterator[str]:
    """An elle-cli JSON array, one event per line."""
    import json  # noqa: PLC0415 (start-up time; see the module docstring)

    first = True
    for op in ops:
        yield ("[" if first else ",\n ") + json.dumps(op.to_json())
        first = False
    yield "[]\n" if first else "]\n"
