"""The command table: how a command family module declares its commands.

A family module (``strings.py``, ``lists.py``...) registers each command with the
:func:`command` decorator::

    @command("get", 2, "readonly fast", keys=(1, 1, 1), acl="@read @string @fast",
             key_flags="RO access")
    def get(ctx: CommandContext, argv: list[bytes]) -> Reply:
        return ctx.keyspace.get_string(argv[1])

Contract of a handler ``(ctx, argv) -> Reply | Blocked``:
- ``argv[0]`` is the command name as sent; the arity is already checked
  (redis convention: ``n`` exactly n arguments including the name, ``-n`` at least n).
- Errors are *raised* as :class:`nodes.errors.NodeError` subclasses (``SyntaxErr``,
  ``WrongTypeError`` via :meth:`Keyspace.get_typed`, ``NotIntegerError`` via
  :func:`nodes.commands.args.parse_int`...); ``nodes.commands.dispatch`` turns them into
  ``-ERR ...`` replies. Nothing else catches them.
- Writes go through :class:`nodes.keyspace.Keyspace` (``set``/``delete``/``modified``),
  which counts them in ``keyspace.dirty``. After a command with the ``write`` flag, if
  ``dirty`` grew, the dispatcher propagates ``argv`` (to the AOF and the replicas);
  a handler replaces what is propagated with ``ctx.propagate_as(argv, ...)`` (e.g.
  EXPIRE -> PEXPIREAT) or suppresses it with ``ctx.propagate_as()``.
- Time is ``ctx.now_ms()`` (the event loop clock), never the wall clock directly.
- A handler that must wait without stopping other clients returns
  :class:`nodes.resp.Blocked`. A handler that blocks the whole server (DEBUG SLEEP) just
  blocks.

Container commands (CONFIG, CLIENT, COMMAND, CLUSTER...) register the container with
``command("config", -2, ..., container=True)`` and each subcommand with
``command("get", -3, ..., parent="config")``; the dispatcher resolves ``argv[1]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nodes.resp.values import Blocked, Reply, SetReply, Simple

if TYPE_CHECKING:
    from nodes.commands.context import CommandContext

Handler = Callable[["CommandContext", list[bytes]], Reply | Blocked]
GetKeys = Callable[[Sequence[bytes]], list[int]]


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A redis 7 key specification (shown by COMMAND INFO): where the keys begin
    (``index`` or a ``keyword`` searched from ``start``) and how they are found
    (``range``: lastkey/keystep/limit, or ``keynum``: keynumidx/firstkey/keystep)."""

    flags: tuple[str, ...]
    begin_index: int = 1
    begin_keyword: bytes | None = None
    keyword_start: int = 1
    lastkey: int = 0
    keystep: int = 1
    limit: int = 0
    keynum: tuple[int, int, int] | None = None
    notes: bytes = b""
    unknown: bool = False
    """Keys that cannot be found from the arguments alone (SORT's BY/GET/STORE): both
    ``begin_search`` and ``find_keys`` are reported as ``unknown``."""

    def reply(self) -> Reply:
        if self.unknown:
            head: dict[bytes, Reply] = {b"notes": self.notes} if self.notes else {}
            head[b"flags"] = SetReply([Simple(f.encode()) for f in self.flags])
            empty: Reply = {b"type": b"unknown", b"spec": {}}
            return head | {b"begin_search": empty, b"find_keys": empty}
        if self.begin_keyword is not None:
            begin: Reply = {
                b"type": b"keyword",
                b"spec": {b"keyword": self.begin_keyword, b"startfrom": self.keyword_start},
            }
        else:
            begin = {b"type": b"index", b"spec": {b"index": self.begin_index}}
        if self.keynum is not None:
            find: Reply = {
                b"type": b"keynum",
                b"spec": {
                    b"keynumidx": self.keynum[0],
                    b"firstkey": self.keynum[1],
                    b"keystep": self.keynum[2],
                },
            }
        else:
            find = {
                b"type": b"range",
                b"spec": {
                    b"lastkey": self.lastkey,
                    b"keystep": self.keystep,
                    b"limit": self.limit,
                },
            }
        spec: dict[bytes, Reply] = {b"notes": self.notes} if self.notes else {}
        spec[b"flags"] = SetReply([Simple(f.encode()) for f in self.flags])
        return spec | {
            b"begin_search": begin,
            b"find_keys": find,
        }


@dataclass(slots=True)
class Command:
    """One entry of the command table (also what COMMAND INFO reports)."""

    name: str
    handler: Handler | None
    arity: int
    flags: tuple[str, ...]
    first_key: int = 0
    last_key: int = 0
    step: int = 0
    acl_categories: tuple[str, ...] = ()
    key_specs: tuple[KeySpec, ...] = ()
    getkeys: GetKeys | None = None
    """For movable keys: argv -> the indexes of the keys."""
    tips: tuple[str, ...] = ()
    parent: Command | None = None
    subcommands: dict[bytes, Command] = field(default_factory=dict)
    is_write: bool = False
    may_replicate: bool = False
    """May propagate without the write flag (EVAL, FCALL, PUBLISH, PFCOUNT): what a
    write pause holds besides writes. Declared as the ``may_replicate`` flag, which
    COMMAND INFO hides, as redis does."""
    no_auth: bool = False
    no_multi: bool = False
    """Refused while queueing in MULTI (``Command not allowed inside a transaction``)."""
    in_multi_ok: bool = True
    """False for EXEC/DISCARD/MULTI/WATCH/QUIT/RESET: executed even inside MULTI."""
    has_keys: bool = False

    fullname_bytes: bytes = b""
    """``fullname`` encoded (what CLIENT LIST shows as ``cmd=``)."""

    @property
    def fullname(self) -> str:
        return f"{self.parent.name}|{self.name}" if self.parent else self.name

    def key_indexes(self, argv: Sequence[bytes]) -> list[int]:
        """The positions of the keys in ``argv`` (as COMMAND GETKEYS reports them)."""
        if self.getkeys is not None:
            return self.getkeys(argv)
        if self.first_key <= 0:
            return []
        last = self.last_key if self.last_key >= 0 else len(argv) + self.last_key
        return list(range(self.first_key, min(last, len(argv) - 1) + 1, self.step or 1))

    def keys(self, argv: Sequence[bytes]) -> list[bytes]:
        return [argv[i] for i in self.key_indexes(argv)]


COMMANDS: dict[bytes, Command] = {}
"""Top-level commands by lower-case name."""

HIDDEN_FLAGS = ("may_replicate",)
"""Flags a declaration may carry that COMMAND INFO does not list (redis hides them)."""


def command(
    name: str,
    arity: int,
    flags: str = "",
    *,
    keys: tuple[int, int, int] = (0, 0, 0),
    acl: str = "",
    key_flags: str = "",
    key_specs: tuple[KeySpec, ...] | None = None,
    getkeys: GetKeys | None = None,
    tips: str = "",
    parent: str | None = None,
    container: bool = False,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as command ``name`` (see the module docstring). A container's
    own handler runs only when it is called without a subcommand and its arity allows.
    Its COMMAND DOCS entry is the one :mod:`nodes.commands.docs` holds for its full name
    (``client|kill``), generated from redis's sources
    (:func:`nodes.commands.command_docs.docs_of`)."""

    def register(handler: Handler) -> Handler:
        declared = flags.split()
        flag_list = tuple(f for f in declared if f not in HIDDEN_FLAGS)
        if getkeys is not None and "movablekeys" not in flag_list:
            flag_list = (*flag_list, "movablekeys")
        specs = key_specs
        if specs is None:
            specs = ()
            if keys[0] > 0:
                last = keys[1] - keys[0] if keys[1] >= 0 else keys[1]
                specs = (
                    KeySpec(
                        tuple(key_flags.split()),
                        begin_index=keys[0],
                        lastkey=last,
                        keystep=keys[2],
                    ),
                )
        cmd = Command(
            name=name,
            handler=handler,
            arity=arity,
            flags=flag_list,
            first_key=keys[0],
            last_key=keys[1],
            step=keys[2],
            acl_categories=tuple(acl.split()),
            key_specs=specs,
            getkeys=getkeys,
            tips=tuple(tips.split()),
            is_write="write" in flag_list,
            may_replicate="may_replicate" in declared,
            no_auth="no_auth" in flag_list,
            no_multi="no_multi" in flag_list,
            has_keys=keys[0] > 0 or getkeys is not None,
            fullname_bytes=name.encode(),
        )
        if parent is not None:
            container_cmd = COMMANDS[parent.encode()]
            cmd.parent = container_cmd
            cmd.fullname_bytes = cmd.fullname.encode()
            container_cmd.subcommands[name.encode()] = cmd
        else:
            COMMANDS[name.encode()] = cmd
        return handler

    return register


def set_multi_exempt(*names: str) -> None:
    """Mark commands that run immediately even inside MULTI."""
    for name in names:
        COMMANDS[name.encode()].in_multi_ok = False
