"""COMMAND DOCS entries: a command's documentation as redis 7.0 serves it
(``addReplyCommandDocs``).

:class:`Docs` holds summary, since, group, complexity, doc flags, deprecation, history and
the argument tree (:class:`Arg`); :func:`docs_reply` builds the map COMMAND DOCS sends,
with the subcommands' entries for a container. The data, one entry per redis command and
subcommand, is in :mod:`nodes.commands.docs` (generated from redis's
``src/commands/*.json`` by ``tools/command_docs_gen.py``); :func:`docs_of` finds a
command's entry, importing the tables on first use. A command redis 7.0 does not have
(CLIENT SETINFO) has none and is left out of COMMAND DOCS.

The reply follows redis's field order and leaves out what redis leaves out (empty
complexity, doc flags, history, arguments...); doc flags, argument flags and history are
sets (RESP3 ``~``), the flags simple strings; a ``oneof``/``block`` argument always has
its ``arguments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nodes.resp.values import Reply, SetReply, Simple

if TYPE_CHECKING:
    from nodes.commands.registry import Command


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument (``redisCommandArg``); ``oneof`` and ``block`` have ``arguments``."""

    name: str
    type: str
    key_spec_index: int = -1
    token: str | None = None
    summary: str | None = None
    since: str | None = None
    deprecated_since: str | None = None
    optional: bool = False
    multiple: bool = False
    multiple_token: bool = False
    arguments: tuple[Arg, ...] = ()

    def reply(self) -> Reply:
        out: dict[bytes, Reply] = {b"name": self.name.encode(), b"type": self.type.encode()}
        if self.key_spec_index != -1:
            out[b"key_spec_index"] = self.key_spec_index
        for field, value in (
            (b"token", self.token),
            (b"summary", self.summary),
            (b"since", self.since),
            (b"deprecated_since", self.deprecated_since),
        ):
            if value is not None:
                out[field] = value.encode()
        flags = [
            name
            for name, on in (
                (b"optional", self.optional),
                (b"multiple", self.multiple),
                (b"multiple_token", self.multiple_token),
            )
            if on
        ]
        if flags:
            out[b"flags"] = SetReply([Simple(f) for f in flags])
        if self.type in ("oneof", "block"):
            out[b"arguments"] = [a.reply() for a in self.arguments]
        return out


@dataclass(frozen=True, slots=True)
class Docs:
    summary: str
    since: str
    group: str
    complexity: str | None = None
    doc_flags: tuple[str, ...] = ()
    deprecated_since: str | None = None
    replaced_by: str | None = None
    history: tuple[tuple[str, str], ...] = ()
    arguments: tuple[Arg, ...] = ()


def docs_of(cmd: Command) -> Docs | None:
    """redis's entry for ``cmd``'s full name; None for a command redis 7.0 lacks. The
    tables (some 5,000 lines) are imported at the first COMMAND DOCS, not at start-up,
    where they would add about 0.1 s to every server's start."""
    from nodes.commands.docs import DOCS  # noqa: PLC0415 (imported on use: start-up time)

    return DOCS.get(cmd.fullname)


def docs_reply(cmd: Command) -> Reply:
    """The COMMAND DOCS map of ``cmd`` (which has docs)."""
    docs = docs_of(cmd)
    assert docs is not None
    out: dict[bytes, Reply] = {
        b"summary": docs.summary.encode(),
        b"since": docs.since.encode(),
        b"group": docs.group.encode(),
    }
    if docs.complexity is not None:
        out[b"complexity"] = docs.complexity.encode()
    if docs.doc_flags:
        out[b"doc_flags"] = SetReply([Simple(f.encode()) for f in docs.doc_flags])
    if docs.deprecated_since is not None:
        out[b"deprecated_since"] = docs.deprecated_since.encode()
    if docs.replaced_by is not None:
        out[b"replaced_by"] = docs.replaced_by.encode()
    if docs.history:
        out[b"history"] = SetReply([[v.encode(), text.encode()] for v, text in docs.history])
    if docs.arguments:
        out[b"arguments"] = [a.reply() for a in docs.arguments]
    if cmd.subcommands:
        out[b"subcommands"] = {
            sub.fullname_bytes: docs_reply(sub)
            for sub in cmd.subcommands.values()
            if docs_of(sub) is not None
        }
    return out
