"""DEBUG: the subcommands redis's own test suites drive.

Served: HELP, SLEEP, RELOAD [MERGE|NOFLUSH|NOSAVE], SET-ACTIVE-EXPIRE, OBJECT, POPULATE,
DIGEST, DIGEST-VALUE (redis's digest, :mod:`nodes.digest`), DROP-CLUSTER-PACKET-FILTER,
CLUSTERLINK KILL, CHANGE-REPL-ID, LOG, ERROR, PROTOCOL, and the tuning switches that
only matter to redis's allocator or encodings (QUICKLIST-PACKED-THRESHOLD,
SET-SKIP-CHECKSUM-VALIDATION, AOF-FLUSH-SLEEP, PAUSE-CRON, REPLYBUFFER,
SET-DISABLE-DENY-SCRIPTS), which are checked and acknowledged. Crashing subcommands
(SEGFAULT, PANIC, ASSERT, OOM, RESTART, ...) answer redis's unknown-subcommand error.

DEBUG is refused unless ``enable-debug-command`` allows the connection, as in redis.
Nothing DEBUG does is propagated (the command has no ``write`` flag).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from nodes import digest
from nodes.cluster.component import component_of
from nodes.commands.context import CommandContext
from nodes.commands.protected import refuse_unless_allowed
from nodes.commands.registry import command
from nodes.config.numbers import memtoull
from nodes.errors import CommandError, NodeError, SubcommandSyntaxError
from nodes.rdb import payload
from nodes.resp.values import OK, Raw, Reply, SetReply, Simple, Verbatim
from nodes.types.encodings import encoding_of

log = logging.getLogger("splitbrain.debug")

Handler = Callable[[CommandContext, list[bytes]], Reply]

_HANDLERS: dict[tuple[bytes, int | None], Handler] = {}
"""(subcommand, exact argc or None for any) -> handler."""


def _sub(name: str, argc: int | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[(name.encode(), argc)] = handler
        return handler

    return register


@command("debug", -2, "admin noscript loading stale", acl="@admin @slow @dangerous")
def debug(ctx: CommandContext, argv: list[bytes]) -> Reply:
    refuse_unless_allowed(ctx, "DEBUG", "enable-debug-command")
    sub = argv[1].lower()
    handler = _HANDLERS.get((sub, len(argv))) or _HANDLERS.get((sub, None))
    if handler is None:
        raise SubcommandSyntaxError(argv)
    return handler(ctx, argv)


def _atof(arg: bytes) -> float:
    """C's ``atof``: the longest numeric prefix, 0 when there is none."""
    match = _FLOAT_PREFIX.match(arg)
    try:
        return float(match.group(0)) if match else 0.0
    except ValueError:
        return 0.0


def _atoi(arg: bytes) -> int:
    """C's ``atoi``: the longest integer prefix, 0 when there is none."""
    match = _INT_PREFIX.match(arg)
    return int(match.group(0)) if match else 0


_FLOAT_PREFIX = re.compile(rb"\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)")
_INT_PREFIX = re.compile(rb"\s*[-+]?\d+")


def _long(arg: bytes, *, positive: bool = False) -> int:
    """redis's getLongFromObjectOrReply (``positive``: getPositiveLongFromObjectOrReply)."""
    value = int(arg) if _LONG.fullmatch(arg) else None
    if positive and (value is None or not 0 <= value < 2**63):
        raise CommandError("value is out of range, must be positive")
    if value is None or not -(2**63) <= value < 2**63:
        raise CommandError("value is not an integer or out of range")
    return value


_LONG = re.compile(rb"-?(0|[1-9]\d*)")


# ---- the server -----------------------------------------------------------------------
@_sub("sleep", 3)
def _sleep(ctx: CommandContext, argv: list[bytes]) -> Reply:
    seconds = _atof(argv[2])
    time.sleep(max(0.0, min(seconds, 3600.0)))  # blocks the whole server, as redis does
    return OK


@_sub("reload")
def _reload(ctx: CommandContext, argv: list[bytes]) -> Reply:
    save = flush = True
    for option in argv[2:]:
        word = option.lower()
        if word == b"nosave":
            save = False
        elif word == b"noflush":
            flush = False
        elif word != b"merge":
            raise CommandError("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    rdb = ctx.server.rdb
    if rdb.bgsave_in_progress:
        raise CommandError("Background save already in progress")
    if save and not rdb.save():
        raise NodeError(b"ERR")
    if not rdb.reload(flush=flush):
        raise CommandError("Error trying to load the RDB dump")
    log.warning("DB reloaded by DEBUG RELOAD")
    return OK


@_sub("set-active-expire", 3)
def _set_active_expire(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ctx.keyspace.expire_enabled = _atoi(argv[2]) != 0
    return OK


@_sub("change-repl-id", 2)
def _change_repl_id(ctx: CommandContext, argv: list[bytes]) -> Reply:
    repl = ctx.server.replication
    if repl is not None:
        log.warning("Changing replication IDs after receiving DEBUG change-repl-id")
        repl.change_ids()
    return OK


@_sub("log", 3)
def _log(ctx: CommandContext, argv: list[bytes]) -> Reply:
    log.warning("DEBUG LOG: %s", argv[2].decode(errors="replace"))
    return OK


@_sub("error", 3)
def _error(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise NodeError(argv[2].replace(b"\n", b" ").replace(b"\r", b" "))


# ---- values ---------------------------------------------------------------------------
@_sub("object", 3)
def _object(ctx: CommandContext, argv: list[bytes]) -> Reply:
    value = ctx.keyspace.data.get(argv[2])
    if value is None:
        raise NodeError(b"ERR no such key")
    serialized = len(payload.encode(value)) - 11  # less the type byte and the trailer
    return Simple(
        b"Value at:0x%x refcount:1 encoding:%s serializedlength:%d lru:0 lru_seconds_idle:0"
        % (id(value), encoding_of(value), serialized)
    )


@_sub("populate")
def _populate(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 5:
        raise SubcommandSyntaxError(argv)
    count = _long(argv[2], positive=True)
    size = _long(argv[4], positive=True) if len(argv) == 5 else 0
    prefix = argv[3] if len(argv) >= 4 else b"key"
    space = ctx.keyspace
    for j in range(count):
        key = b"%s:%d" % (prefix, j)
        if space.get(key) is not None:
            continue
        value = b"value:%d" % j
        if size:
            value = value[:size].ljust(size, b"\x00")
        space.set(key, value)
    return OK


@_sub("digest", 2)
def _digest(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return Simple(digest.dataset_digest(ctx.server.databases.live()).hex().encode())


@_sub("digest-value")
def _digest_value(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return [Simple(digest.value_digest(ctx.keyspace, key).hex().encode()) for key in argv[2:]]


@_sub("protocol", 3)
def _protocol(ctx: CommandContext, argv: list[bytes]) -> Reply:
    name = argv[2].lower()
    resp3 = ctx.client.resp >= 3
    if name == b"string":
        return b"Hello World"
    if name == b"integer":
        return 12345
    if name == b"double":
        return 3.141
    if name == b"bignum":
        big = b"1234567999999999999999999999999999999"
        return Raw(b"(" + big + b"\r\n") if resp3 else big
    if name == b"null":
        return None
    if name == b"array":
        return [0, 1, 2]
    if name == b"set":
        return SetReply([0, 1, 2])
    if name == b"map":
        pairs = (b":0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n", b":0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n")
        return Raw(b"%3\r\n" + pairs[0] if resp3 else b"*6\r\n" + pairs[1])
    if name == b"attrib":
        real = b"$39\r\nSome real reply following the attribute\r\n"
        attribute = b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
        return Raw(attribute + real if resp3 else real)
    if name == b"push":
        if not resp3:
            raise CommandError("RESP2 is not supported by this command")
        push = b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
        return Raw(push + b"$40\r\nSome real reply following the push reply\r\n")
    if name in (b"true", b"false"):
        return name == b"true"
    if name == b"verbatim":
        return Verbatim(b"This is a verbatim\nstring")
    raise CommandError(
        "Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"
    )


# ---- the cluster bus ------------------------------------------------------------------
@_sub("drop-cluster-packet-filter", 3)
def _drop_cluster_packet_filter(ctx: CommandContext, argv: list[bytes]) -> Reply:
    packet_type = _long(argv[2])
    component = component_of(ctx.server)
    if component is not None and component.engine is not None:
        component.engine.drop_packet_type = packet_type
    return OK


@_sub("clusterlink", 5)
def _clusterlink(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if argv[2].lower() != b"kill":
        raise SubcommandSyntaxError(argv)
    component = component_of(ctx.server)
    engine = component.engine if component is not None else None
    if engine is None:
        raise CommandError("Debug option only available for cluster mode enabled setup!")
    node = engine.state.lookup(argv[4].decode(errors="replace"))
    if node is None:
        raise CommandError(b"Unknown node " + argv[4])
    direction = argv[3].lower()
    if direction not in (b"from", b"to", b"all"):
        raise CommandError(b"Unknown direction " + argv[3])
    if direction in (b"to", b"all") and node.link is not None:
        engine.free_link(node.link)
    if direction in (b"from", b"all") and node.inbound_link is not None:
        engine.free_link(node.inbound_link)
    return OK


# ---- switches for redis's allocator and encodings: checked, acknowledged --------------
def _acknowledge(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return OK


for _name in ("set-skip-checksum-validation", "aof-flush-sleep", "pause-cron"):
    _sub(_name, 3)(_acknowledge)
_sub("set-disable-deny-scripts", 3)(_acknowledge)


@_sub("quicklist-packed-threshold", 3)
def _quicklist_packed_threshold(ctx: CommandContext, argv: list[bytes]) -> Reply:
    size = memtoull(argv[2].decode(errors="replace"))
    if size is None or not 0 <= size < 2**32:
        raise CommandError("argument must be a memory value bigger than 1 and smaller than 4gb")
    return OK


@_sub("replybuffer", 4)
def _replybuffer(ctx: CommandContext, argv: list[bytes]) -> Reply:
    what = argv[2].lower()
    if what == b"peak-reset-time":
        if argv[3].lower() not in (b"never", b"reset"):
            _long(argv[3])
    elif what != b"resizing":
        raise SubcommandSyntaxError(argv)
    return OK


@_sub("help", 2)
def _help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    lines = ["DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", *_HELP]
    lines += ["HELP", "    Prints this help."]
    return [Simple(line.encode()) for line in lines]


_HELP = (
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
)
"""The subcommands served here, in redis's words."""
