"""History file formats: detection, reading a file, writing events.

Formats: ``jsonl`` (ours), ``edn`` (Jepsen), ``jepsen-log`` (Jepsen's text log, as in
Porcupine's corpus), ``elle-json`` (elle-cli). ``auto`` looks at the first non-blank
line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator

from base.op import Op
from checkers.history.errors import HistoryFormatError
from checkers.history.jepsen_log import MARKER, read_jepsen_log
from checkers.history.json_forms import (
    read_json,
    read_jsonl_skipping,
    write_elle_json,
    write_jsonl,
)
from checkers.history.keys import PlainShape, read_keys

FORMATS = ("jsonl", "edn", "jepsen-log", "elle-json")
"""Readable and writable format names (plus ``auto`` for reading)."""

_LOG_LINE = re.compile(r"\b(?:INFO|WARN|ERROR|DEBUG|TRACE)\s+[\w.$-]+ - ")
"""A log4j-style line (``LEVEL  logger - message``) of a Jepsen log."""


def read_edn(path: str, text: str) -> list[Op]:
    """``checkers.history.edn.read_edn``, imported on first use (start-up time: checking
    a history.jsonl does not need the EDN reader)."""
    from checkers.history.edn import read_edn as read  # noqa: PLC0415

    return read(path, text)


def write_edn(ops: Iterable[Op]) -> Iterator[str]:
    """``checkers.history.edn.write_edn``, imported on first use."""
    from checkers.history.edn import write_edn as write  # noqa: PLC0415

    return write(ops)


_READERS: dict[str, Callable[[str, str], list[Op]]] = {
    "jsonl": read_json,
    "elle-json": read_json,
    "edn": read_edn,
    "jepsen-log": read_jepsen_log,
}
_CHOICE: dict[bool | None, str] = {True: "yes", False: "no", None: "auto"}
_WRITERS: dict[str, Callable[[Iterable[Op]], Iterator[str]]] = {
    "jsonl": write_jsonl,
    "elle-json": write_elle_json,
    "edn": write_edn,
}


def detect_format(path: str, text: str) -> str:
    """The format of ``text`` judged by its start (the first line that is not blank or
    an EDN ``;`` comment, and what follows it when a map opens alone on a line)."""
    head = text[:65536]  # the first line is near the start; do not split a large file
    lines = [s for line in (head if head.strip() else text).splitlines() if (s := line.strip())]
    content = [s for s in lines if s[0] != ";"]
    if not content:
        return "jsonl"
    first = content[0]
    if MARKER in first or _LOG_LINE.search(first):
        return "jepsen-log"
    start = " ".join(content[:8])
    opener = start[0]
    body = start[1:].lstrip() if opener in "[(" else start
    if opener == "(" or body.startswith("#") or len(content) < len(lines):
        return "edn"  # a list, a tagged map or a set, or ; comments: not JSON
    if body.startswith("{"):
        inner = body[1:].lstrip()
        if inner.startswith(":") or (inner.startswith("}") and opener == "{"):
            return "edn"
        if inner.startswith('"'):
            return "elle-json" if opener == "[" else "jsonl"
    if body in ("", "]"):
        return "jsonl"  # an empty array: no events either way
    raise HistoryFormatError(path, None, "cannot tell the history format; pass --format")


def parse_history(
    path: str,
    text: str,
    fmt: str = "auto",
    independent: bool | str | None = None,
    plain: PlainShape | None = None,
) -> list[Op]:
    """The events in ``text`` (read from ``path``, named in errors).

    ``independent``: move ``:value [k v]`` into ``key``/``value`` (Jepsen's independent
    keys): ``"yes"``/True, ``"no"``/False, or ``"auto"``/None to decide by looking, with
    ``plain`` the model's value shapes (``checkers.history.keys``). Jepsen logs are
    never keyed.
    """
    if fmt == "auto":
        fmt = detect_format(path, text)
    reader = _READERS.get(fmt)
    if reader is None:
        raise ValueError(f"unknown history format {fmt!r} (known: {', '.join(FORMATS)})")
    ops = reader(path, text)
    if fmt == "jepsen-log":
        return ops
    choice = independent if isinstance(independent, str) else _CHOICE[independent]
    return read_keys(path, ops, choice, plain)


def read_history(
    path: str | os.PathLike[str],
    fmt: str = "auto",
    independent: bool | str | None = None,
    plain: PlainShape | None = None,
) -> list[Op]:
    """The events of the file at ``path`` (see :func:`parse_history`). Raises
    :class:`HistoryFormatError` (one line, naming file and line) for bad content and
    ``OSError`` when it cannot be read."""
    name = str(path)
    try:
        with open(path, encoding="utf-8") as f:  # not pathlib: it costs start-up time
            text = f.read()
    except UnicodeDecodeError as e:
        raise HistoryFormatError(name, None, f"not UTF-8 text ({e.reason})") from None
    return parse_history(name, text, fmt, independent, plain)


def read_jsonl_history(path: str | os.PathLike[str]) -> tuple[list[Op], list[HistoryFormatError]]:
    """The events of our ``history.jsonl`` at ``path`` (keys in ``key``, never split
    from values) and the error of each bad line, left out. Raises ``OSError`` when it
    cannot be read; bytes that are not UTF-8 spoil only their lines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return read_jsonl_skipping(str(path), text)


def write_history(ops: Iterable[Op], fmt: str) -> Iterator[str]:
    """``ops`` as lines of text in ``fmt`` (``jsonl``, ``edn`` or ``elle-json``)."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"cannot write history format {fmt!r}")
    return writer(ops)
