"""A fast reading of the ``history.jsonl`` our recorder writes: straight to pairing rows.

:func:`read_rows` decodes the whole file in one call (orjson for large inputs) and turns
each event into
a :data:`~checkers.history.pairing.Row` without building an :class:`~base.op.Op`: for a
linearizability check of a large history, making half a million records costs more
than checking them. It takes only what it can read exactly as
:func:`~checkers.history.formats.read_history` would (one JSON object a line, the
fields ``Op.from_json`` reads with the types it accepts, read as they are or as
``[key value]`` pairs by the same rule as ``checkers.history.keys``) and returns None
for anything else: the regular reader then reads the file and names whatever is wrong.
So the fast path never decides an error or a reading of its own; it only skips the
records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from base.op import NEMESIS, OpType
from checkers.history.errors import HistoryFormatError
from checkers.history.formats import detect_format
from checkers.history.keys import CHOICES, PlainShape
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
    reader must read it (not JSON lines, a field it would convert or reject, values
    whose independent-key reading is an error; see the module docstring). ``fmt``, ``independent``
    and ``plain`` are :func:`~checkers.history.formats.read_history`'s; ``total_bytes``
    is how much the caller reads in all (this file and others: from
    :data:`ORJSON_MIN_BYTES` on, orjson decodes). Raises ``OSError`` when the file
    cannot be read."""
    if fmt not in ("auto", "jsonl") or independent not in CHOICES:
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
    if rows is None or independent == "no":
        return rows
    reading = _reading(rows, plain, independent)
    if reading == "keyed":
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5][1], str(r[5][0]), None) if r[2] != NEMESIS else r
            for r in rows
        ]
    return rows if reading == "plain" else None


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


def _reading(rows: Sequence[Row], plain: PlainShape | None, choice: str) -> str | None:
    """How ``--independent`` ``choice`` (``auto`` or ``yes``) reads these events, by
    ``checkers.history.keys``'s rule: ``plain`` (as they are: also when some client
    event carries a ``key`` field), ``keyed`` (``[key value]`` values), or None when
    that rule finds an error (the regular reader then names it)."""
    client = [row for row in rows if row[2] != NEMESIS]
    if not client or any(row[6] is not None for row in client):
        return "plain"
    every_keyed = all(
        _pair_shaped(row[5]) and (plain is None or plain(row[1], row[5][1])) for row in client
    )
    if choice == "yes":
        return "keyed" if every_keyed else None
    if plain is None:
        return "keyed" if every_keyed else "plain"
    fits = _fit_as_they_are(client, plain)
    if every_keyed and not fits:
        return "keyed"
    return "plain" if fits else None


def _pair_shaped(value: Any) -> bool:
    return type(value) is list and len(value) == 2 and not isinstance(value[0], list | dict)


def _fit_as_they_are(client: Sequence[Row], plain: PlainShape) -> bool:
    """Whether every client value fits its ``f`` as it is. A value's fit depends on its
    f and its shape (see ``PlainShape``): one value of each is judged."""
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
