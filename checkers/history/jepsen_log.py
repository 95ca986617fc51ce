"""The Jepsen text log (``jepsen.log``) as Porcupine's corpus has it.

Each event is a ``jepsen.util`` line: ``INFO  jepsen.util - PROCESS<TAB>:TYPE<TAB>:F<TAB>VALUE``
(some files use spaces for tabs). Lines of other loggers (``jepsen.core``, ...), and
blank lines, are log output, not history, and are skipped; a ``jepsen.util`` line that
starts like an event but does not parse is an error. The log has no times: ``time_ns``
is 0 and ``index`` counts events.
"""

from __future__ import annotations

import re
from typing import Any

from base.op import Op, OpType
from checkers.history.errors import HistoryFormatError

MARKER = "jepsen.util - "
_TYPES = {t.value: t for t in OpType}
_PROCESS = re.compile(r"\d+|:?nemesis")


def read_jepsen_log(path: str, text: str) -> list[Op]:
    from checkers.history.edn import loads  # noqa: PLC0415 (start-up time of other formats)

    ops: list[Op] = []
    values: dict[str, Any] = {}  # the same few value texts recur; values are not mutated
    for lineno, line in enumerate(text.splitlines(), 1):
        at = line.find(MARKER)
        if at < 0:
            continue
        fields = line[at + len(MARKER) :].split(None, 3)
        if not fields or not _PROCESS.fullmatch(fields[0]):
            continue  # another jepsen.util message, not an event
        if len(fields) < 3:
            raise HistoryFormatError(path, lineno, "expected PROCESS :TYPE :F VALUE")
        proc, type_, f = fields[:3]
        if not type_.startswith(":") or type_[1:] not in _TYPES:
            raise HistoryFormatError(path, lineno, f"bad type {type_!r}")
        if not f.startswith(":") or len(f) < 2:
            raise HistoryFormatError(path, lineno, f"bad f {f!r}")
        text_value = fields[3] if len(fields) == 4 else "nil"
        value = values.get(text_value, values)
        if value is values:
            try:
                value = values[text_value] = loads(text_value)
            except ValueError as e:
                raise HistoryFormatError(path, lineno, f"bad value: {e}") from None
        process: int | str = int(proc) if proc.isdigit() else "nemesis"
        ops.append(Op(_TYPES[type_[1:]], f[1:], value, process, index=len(ops)))
    return ops
