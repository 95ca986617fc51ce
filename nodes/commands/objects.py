"""Introspection of stored values: OBJECT ENCODING/REFCOUNT/IDLETIME/FREQ/HELP and
MEMORY USAGE/HELP.

OBJECT ENCODING names the representation redis-server 7.0 would hold
(:func:`nodes.types.encodings.encoding_of`). OBJECT IDLETIME is always 0 (access times
are not tracked) and OBJECT FREQ answers redis's error for a non-LFU policy (the only
policy here). MEMORY USAGE is an *estimate* of redis's allocation (object header, key,
payload), not a measurement: it only tracks sizes roughly.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.values import Reply, Simple
from nodes.types.encodings import encoding_of, estimated_memory, shared_integer

_SHARED_REFCOUNT = 2**31 - 1
"""OBJECT REFCOUNT of redis's shared integers 0..9999 (``OBJ_SHARED_REFCOUNT``)."""


@command("object", -2, "", acl="@slow", container=True)
def object_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise CommandError("wrong number of arguments for 'object' command")


_OBJ = "readonly"
_OBJ_ACL = "@keyspace @read @slow"


def _help(name: str, lines: list[str]) -> Reply:
    text = [f"{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", *lines]
    text += ["HELP", "    Prints this help."]
    return [Simple(line.encode()) for line in text]


@command("help", 2, "loading stale", acl="@keyspace @slow", parent="object")
def object_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _help(
        "OBJECT",
        [
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    )


@command(
    "encoding",
    3,
    _OBJ,
    keys=(2, 2, 1),
    acl=_OBJ_ACL,
    key_flags="RO",
    tips="nondeterministic_output",
    parent="object",
)
def object_encoding(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.get(argv[2])
    return None if value is None else encoding_of(value)


@command(
    "refcount",
    3,
    _OBJ,
    keys=(2, 2, 1),
    acl=_OBJ_ACL,
    key_flags="RO",
    tips="nondeterministic_output",
    parent="object",
)
def object_refcount(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.get(argv[2])
    if value is None:
        return None
    return _SHARED_REFCOUNT if shared_integer(value) else 1


@command(
    "idletime",
    3,
    _OBJ,
    keys=(2, 2, 1),
    acl=_OBJ_ACL,
    key_flags="RO",
    tips="nondeterministic_output",
    parent="object",
)
def object_idletime(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return None if ctx.keyspace.get(argv[2]) is None else 0


@command(
    "freq",
    3,
    _OBJ,
    keys=(2, 2, 1),
    acl=_OBJ_ACL,
    key_flags="RO",
    tips="nondeterministic_output",
    parent="object",
)
def object_freq(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.keyspace.get(argv[2]) is None:
        return None
    raise CommandError(
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please note"
        " that when switching between policies at runtime LRU and LFU data will take some"
        " time to adjust."
    )


@command("memory", -2, "", acl="@slow", container=True)
def memory(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise CommandError("wrong number of arguments for 'memory' command")


@command("help", 2, "loading stale", acl="@slow", parent="memory")
def memory_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _help(
        "MEMORY",
        [
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    )


@command(
    "usage", -3, "readonly", keys=(2, 2, 1), acl="@read @slow", key_flags="RO", parent="memory"
)
def memory_usage(ctx: CommandContext, argv: list[bytes]) -> Reply:
    j = 3
    while j < len(argv):
        if argv[j].lower() == b"samples" and j + 1 < len(argv):
            if parse_int(argv[j + 1]) < 0:
                raise SyntaxErr()
            j += 2
        else:
            raise SyntaxErr()
    key = argv[2]
    value = ctx.keyspace.data.get(key)
    if value is None:
        return None
    return estimated_memory(key, value)
