"""A fast reading of the ``history.jsonl`` our recorder writes: straight to pairing rows.

:func:`read_rows` decodes the whole file in one call (orjson) and turns each event into
a :data:`~checkers.history.pairing.Row` without building an :class:`~base.op.Op`: for a
linearizability check of a large history, making half a million records costs more
than checking them. It takes only what it can read exactly as
:func:`~checkers.history.formats.read_history` would (one JSON object a line, the
fields ``Op.from_json`` reads with the types it accepts, values whose independent-key
reading is plain or given by a ``key`` field) and returns None for anything else: the
regular reader then reads the file and names whatever is wrong. So the fast path never
decides an error or a reading of its own; it only skips the records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from base.op import NEMESIS, OpType
from checkers.history.errors import HistoryFormatError
from checkers.history.formats import detect_format
from checkers.history.keys import PlainShape
from checkers.history.pairing import Row

_TYPES = {t.value: t for t in OpType}
_SEPARATORS = ("\u0085".encode(), "\u2028".encode(), "\u2029".encode())
"""Line breaks for ``str.splitlines`` (which the regular reader uses) but not for
``bytes.splitlines``: a file with one goes the regular way."""
_BOM = b"\xef\xbb\xbf"
"""A UTF-8 byte order mark, which the regular reader rejects."""


ORJSON_MIN_BYTES = 1 << 20
"""Below this much JSON to read, the standard library decodes it: importing orjson costs
about 15 ms, more than it saves on a small history."""


def read_rows(
    path: str, fmt: str, independent: str, plain: PlainShape | None, total_bytes: int = 0
) -> list[Row] | None:
    """The events of the history file at ``path`` as rows, or None when the regular
    reader must read it (not JSON lines, a field it would convert or reject, values it
    might split into ``[key value]``; see the module docstring). ``fmt``, ``independent``
    and ``plain`` are :func:`~checkers.history.formats.read_history`'s; ``total_bytes``
    is how much the caller reads in all (this file and others: from
    :data:`ORJSON_MIN_BYTES` on, orjson decodes). Raises ``OSError`` when the file
    cannot be read."""
    if fmt not in ("auto", "jsonl") or independent not in ("auto", "no"):
        return None
    with open(path, "rb") as f:
        data = f.read()
    if fmt == "auto" and not _looks_like_jsonl(path, data):
        return None
    if data.startswith(_BOM) or (not data.isascii() and any(sep in data for sep in _SEPARATORS)):
        return None
    lines = [line for line in data.splitlines() if line.strip()]
    try:
        records = _decoder(max(total_bytes, len(data)))(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):  # both decoders' errors are ValueErrors
        return None
    if len(records) != len(lines):  # some line held more than one value
        return None
    rows = _rows(records)
    if rows is None or (independent == "auto" and not _plain(rows, plain)):
        return None
    return rows


def _decoder(size: int) -> Callable[[bytes], Any]:
    """orjson's decoder for much JSON, the standard library's for little (imported on
    use: checking a Jepsen log needs neither)."""
    if size >= ORJSON_MIN_BYTES:
        try:
            import orjson  # noqa: PLC0415

            return orjson.loads
        except ImportError:  # pragma: no cover (a dependency; json still works)
            pass
    import json  # noqa: PLC0415

    return lambda data: json.loads(data.decode("utf-8"))  # as strict as the regular reader


def _looks_like_jsonl(path: str, data: bytes) -> bool:
    head = data[:65536].decode("utf-8", "replace")
    if not head.strip():
        return False
    try:
        return detect_format(path, head) == "jsonl"
    except HistoryFormatError:
        return False


def _rows(records: list[Any]) -> list[Row] | None:
    """Rows of decoded records, or None at the first one the regular reader would
    convert (a key that is not a string, an index given as a float) or reject."""
    types = _TYPES
    rows: list[Row] = []
    append = rows.append
    for position, record in enumerate(records):
        if type(record) is not dict:
            return None
        get = record.get
        name = get("type")
        type_ = types.get(name) if type(name) is str else None
        f = get("f")
        process = get("process")
        index = get("index", -1)
        time_ns = get("time", 0)
        key = get("key")
        if (
            type_ is None
            or type(f) is not str
            or (type(process) is not int and type(process) is not str)
            or type(index) is not int
            or type(time_ns) is not int
            or (key is not None and type(key) is not str)
        ):
            return None
        append(
            (type_, f, process, index if index >= 0 else position, time_ns, get("value"), key, None)
        )
    return rows


def _pair_shaped(value: Any) -> bool:
    return type(value) is list and len(value) == 2 and not isinstance(value[0], list | dict)


def _plain(rows: Sequence[Row], plain: PlainShape | None) -> bool:
    """Whether ``--independent auto`` reads these events as they are: some client event
    carries a ``key`` field, or every client value fits its ``f`` as it is
    (``checkers.history.keys``'s rule; None: the generic rule, which splits only when
    every value is a pair, so a scalar value is enough)."""
    client = [row for row in rows if row[2] != NEMESIS]
    if not client or any(row[6] is not None for row in client):
        return True
    if plain is None:
        return any(not _pair_shaped(row[5]) for row in client)
    # a value's fit depends on its f and its shape (see PlainShape): judge one of each
    scalars = {
        (row[1], type(row[5])): row[5]
        for row in client
        if type(row[5]) is not list and type(row[5]) is not dict
    }
    lists = {(row[1], tuple(map(type, row[5]))): row[5] for row in client if type(row[5]) is list}
    maps = [row for row in client if type(row[5]) is dict]
    return (
        all(plain(shape[0], value) for shape, value in scalars.items())
        and all(plain(shape[0], value) for shape, value in lists.items())
        and all(plain(row[1], row[5]) for row in maps)
    )
