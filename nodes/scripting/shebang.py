"""Script flags: EVAL's ``#!lua flags=no-writes,allow-oom`` first line and FUNCTION's
``flags={...}`` share one vocabulary (redis's ``scripts_flags_def``)."""

from __future__ import annotations

from dataclasses import dataclass

from nodes.errors import NodeError
from nodes.resp.parser import split_args

FLAG_NAMES: tuple[bytes, ...] = (
    b"no-writes",
    b"allow-oom",
    b"allow-stale",
    b"no-cluster",
    b"allow-cross-slot-keys",
)


@dataclass(frozen=True, slots=True)
class ScriptFlags:
    """The declared flags; ``compat`` is an EVAL script without a shebang (redis's
    ``EVAL_COMPAT_MODE``: may write, cross-slot keys allowed, flags not checked)."""

    names: frozenset[bytes] = frozenset()
    compat: bool = False

    @property
    def no_writes(self) -> bool:
        return b"no-writes" in self.names

    @property
    def allow_cross_slot(self) -> bool:
        return self.compat or b"allow-cross-slot-keys" in self.names

    @property
    def no_cluster(self) -> bool:
        return not self.compat and b"no-cluster" in self.names


COMPAT = ScriptFlags(compat=True)


def parse_shebang(body: bytes) -> tuple[ScriptFlags, int]:
    """The flags of an EVAL body and the length of its shebang line (0 without one; the
    newline stays in the code so line numbers are kept). Raises redis's errors."""
    if not body.startswith(b"#!"):
        return COMPAT, 0
    end = body.find(b"\n")
    if end < 0:
        raise NodeError(b"ERR Invalid script shebang")
    parts = split_args(body[:end])
    if not parts:
        raise NodeError(b"ERR Invalid engine in script shebang")
    if parts[0] != b"#!lua":
        raise NodeError(b"ERR Unexpected engine in script shebang: " + parts[0])
    names: set[bytes] = set()
    for part in parts[1:]:
        if not part.startswith(b"flags="):
            raise NodeError(b"ERR Unknown lua shebang option: " + part)
        for flag in part[6:].split(b","):
            if flag not in FLAG_NAMES:
                raise NodeError(b"ERR Unexpected flag in script shebang: " + flag)
            names.add(flag)
    return ScriptFlags(frozenset(names)), end
