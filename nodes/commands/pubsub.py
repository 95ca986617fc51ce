"""Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the sharded
SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/
SHARDNUMSUB/HELP. The registries are :mod:`nodes.pubsub`.

Confirmations (``subscribe``, ``unsubscribe``...) are replies of the command itself, one
message per channel, encoded for the client's protocol (pushes in RESP3). In cluster mode
the shard channels are routed like keys (their key specs say ``not_key``), so a shard
channel of a slot served elsewhere gets ``-MOVED`` and several slots get ``-CROSSSLOT``.
"""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, NodeError
from nodes.pattern import matches
from nodes.pubsub import leave_pubsub_if_idle, subscriptions
from nodes.resp.encoder import encode_into
from nodes.resp.values import Push, Raw, Reply, Simple

_FLAGS = "pubsub noscript loading stale"
_SHARD_KEYS = (KeySpec(("not_key",), begin_index=1, lastkey=-1),)


def _confirmations(ctx: CommandContext, messages: list[Push]) -> Raw:
    """Several messages as one reply (what redis writes for a multi-channel request)."""
    out: list[bytes] = []
    resp3 = ctx.client.resp == 3
    for msg in messages:
        encode_into(out, msg, resp3)
    return Raw(b"".join(out))


@command("subscribe", -2, _FLAGS, acl="@pubsub @slow")
def subscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    pubsub = ctx.server.pubsub
    subscriptions(ctx.client)
    return _confirmations(ctx, [pubsub.subscribe(ctx.client, ch, sharded=False) for ch in argv[1:]])


@command("psubscribe", -2, _FLAGS, acl="@pubsub @slow")
def psubscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    pubsub = ctx.server.pubsub
    subscriptions(ctx.client)
    return _confirmations(ctx, [pubsub.psubscribe(ctx.client, p) for p in argv[1:]])


@command("ssubscribe", -2, _FLAGS, acl="@pubsub @slow", keys=(1, -1, 1), key_specs=_SHARD_KEYS)
def ssubscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if ctx.in_exec:
        raise NodeError(b"ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
    pubsub = ctx.server.pubsub
    subscriptions(ctx.client)
    return _confirmations(ctx, [pubsub.subscribe(ctx.client, ch, sharded=True) for ch in argv[1:]])


def _unsubscribe(ctx: CommandContext, argv: list[bytes], kind: bytes) -> Reply:
    pubsub = ctx.server.pubsub
    client = ctx.client
    if len(argv) == 1:
        messages = pubsub.unsubscribe_all(client, kind=kind)
    elif kind == b"pattern":
        messages = [m for p in argv[1:] if (m := pubsub.punsubscribe(client, p)) is not None]
    else:
        sharded = kind == b"shard"
        messages = [
            m
            for ch in argv[1:]
            if (m := pubsub.unsubscribe(client, ch, sharded=sharded)) is not None
        ]
    leave_pubsub_if_idle(client)
    return _confirmations(ctx, messages)


@command("unsubscribe", -1, _FLAGS, acl="@pubsub @slow")
def unsubscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _unsubscribe(ctx, argv, b"channel")


@command("punsubscribe", -1, _FLAGS, acl="@pubsub @slow")
def punsubscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _unsubscribe(ctx, argv, b"pattern")


@command("sunsubscribe", -1, _FLAGS, acl="@pubsub @slow", keys=(1, -1, 1), key_specs=_SHARD_KEYS)
def sunsubscribe(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _unsubscribe(ctx, argv, b"shard")


@command("publish", 3, "pubsub loading stale fast may_replicate", acl="@pubsub @fast")
def publish(ctx: CommandContext, argv: list[bytes]) -> Reply:
    receivers = ctx.server.pubsub.publish(argv[1], argv[2], sharded=False)
    _replicate_unless_cluster(ctx, argv)
    return receivers


@command(
    "spublish",
    3,
    "pubsub loading stale fast may_replicate",
    acl="@pubsub @fast",
    keys=(1, 1, 1),
    key_specs=(KeySpec(("not_key",), begin_index=1, lastkey=0),),
)
def spublish(ctx: CommandContext, argv: list[bytes]) -> Reply:
    receivers = ctx.server.pubsub.publish(argv[1], argv[2], sharded=True)
    _replicate_unless_cluster(ctx, argv)
    return receivers


def _replicate_unless_cluster(ctx: CommandContext, argv: list[bytes]) -> None:
    """Standalone redis sends PUBLISH down the replication stream only, not the AOF
    (replicas deliver it to their own subscribers); in cluster mode the bus carries it."""
    server = ctx.server
    repl = server.replication
    if server.cluster_enabled or repl is None or repl.is_replica:
        return
    if server.pending_propagation:
        server.flush_propagation()
    repl.feed_command(argv)


# ---- PUBSUB ----------------------------------------------------------------------------
@command("pubsub", -2, "", acl="@slow", container=True)
def pubsub_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


_HELP = (
    b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"CHANNELS [<pattern>]",
    b"    Return the currently active channels matching a <pattern> (default: '*').",
    b"NUMPAT",
    b"    Return number of subscriptions to patterns.",
    b"NUMSUB [<channel> ...]",
    b"    Return the number of subscribers for the specified channels, excluding",
    b"    pattern subscriptions(default: no channels).",
    b"SHARDCHANNELS [<pattern>]",
    b"    Return the currently active shard level channels matching a <pattern> (default: '*').",
    b"SHARDNUMSUB [<shardchannel> ...]",
    b"    Return the number of subscribers for the specified shard level channel(s)",
    b"HELP",
    b"    Prints this help.",
)


def _syntax(argv: list[bytes]) -> CommandError:
    return CommandError(
        b"unknown subcommand or wrong number of arguments for '"
        + argv[1][:128]
        + b"'. Try "
        + argv[0].upper()
        + b" HELP."
    )


@command("help", 2, "loading stale", acl="@slow", parent="pubsub")
def pubsub_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return [Simple(line) for line in _HELP]


def _channel_list(names: list[bytes], argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise _syntax(argv)
    if len(argv) == 2:
        return list(names)
    return [n for n in names if matches(argv[2], n)]


@command("channels", -2, "pubsub loading stale", acl="@pubsub @slow", parent="pubsub")
def pubsub_channels(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _channel_list(list(ctx.server.pubsub.channels), argv)


@command("shardchannels", -2, "pubsub loading stale", acl="@pubsub @slow", parent="pubsub")
def pubsub_shardchannels(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _channel_list(list(ctx.server.pubsub.shard_channels), argv)


@command("numsub", -2, "pubsub loading stale", acl="@pubsub @slow", parent="pubsub")
def pubsub_numsub(ctx: CommandContext, argv: list[bytes]) -> Reply:
    table = ctx.server.pubsub.channels
    out: list[Reply] = []
    for ch in argv[2:]:
        out += [ch, len(table.get(ch, ()))]
    return out


@command("shardnumsub", -2, "pubsub loading stale", acl="@pubsub @slow", parent="pubsub")
def pubsub_shardnumsub(ctx: CommandContext, argv: list[bytes]) -> Reply:
    table = ctx.server.pubsub.shard_channels
    out: list[Reply] = []
    for ch in argv[2:]:
        out += [ch, len(table.get(ch, ()))]
    return out


@command("numpat", 2, "pubsub loading stale", acl="@pubsub @slow", parent="pubsub")
def pubsub_numpat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return len(ctx.server.pubsub.patterns)
