"""CLUSTER subcommands, READONLY, READWRITE and ASKING, with redis-server 7.0's replies.

The logic lives in :mod:`nodes.cluster` (``admin`` for changes, ``describe`` for
replies); this module parses arguments, finds the node's cluster component and turns
results into reply values.
"""

from __future__ import annotations

from nodes.cluster import admin, describe
from nodes.cluster.admin import ClusterCommandError
from nodes.cluster.component import ClusterComponent, component_of
from nodes.cluster.engine import ClusterEngine
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.keyslot import HASH_SLOTS, keyslot
from nodes.resp.values import OK, Reply, Simple, Verbatim

_ADMIN = "admin stale no_async_loading"
_ACL = "@admin @slow @dangerous"


def _component(ctx: CommandContext) -> ClusterComponent:
    component = component_of(ctx.server)
    if component is None:
        raise CommandError("This instance has cluster support disabled")
    return component


def _engine(ctx: CommandContext) -> ClusterEngine:
    return _component(ctx).engine


def _to_reply(value: describe.ReplyValue) -> Reply:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return [_to_reply(v) for v in value]
    if isinstance(value, dict):
        return {k.encode(): _to_reply(v) for k, v in value.items()}
    return None  # describe.NULL


def _slot(arg: bytes) -> int:
    try:
        slot = parse_int(arg)
    except NodeError:
        slot = -1
    if not 0 <= slot < HASH_SLOTS:
        raise CommandError("Invalid or out of range slot")
    return slot


def _apply(engine: ClusterEngine, action: object) -> None:
    """Run an admin action; its refusal becomes ``-ERR``; save/update state after."""
    assert callable(action)
    try:
        action()
    except ClusterCommandError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.after_command()


@command("cluster", -2, "", acl="@slow", container=True)
def cluster(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


@command("info", 2, "stale", acl="@slow", parent="cluster")
def cluster_info(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return Verbatim(describe.info_text(_engine(ctx).state).encode())


@command("nodes", 2, "stale", acl="@slow", parent="cluster")
def cluster_nodes(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return Verbatim(describe.nodes_text(_engine(ctx).state).encode())


@command("myid", 2, "stale", acl="@slow", parent="cluster")
def cluster_myid(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _engine(ctx).myself.node_id.encode()


@command("slots", 2, "stale", acl="@slow", parent="cluster")
def cluster_slots(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    return _to_reply(
        describe.slots_reply(engine.state, engine.config.preferred_endpoint, engine.repl_offset)
    )


@command("shards", 2, "stale", acl="@slow", parent="cluster")
def cluster_shards(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    return _to_reply(
        describe.shards_reply(engine.state, engine.repl_offset, engine.config.preferred_endpoint)
    )


@command("links", 2, "stale", acl="@slow", parent="cluster")
def cluster_links(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    return _to_reply(describe.links_reply(engine.state, engine.transport.buffered))


@command("keyslot", 3, "stale", acl="@slow", parent="cluster")
def cluster_keyslot(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx)
    return keyslot(argv[2])


@command("countkeysinslot", 3, "stale", acl="@slow", parent="cluster")
def cluster_countkeysinslot(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx)
    slot = parse_int(argv[2])
    if not 0 <= slot < HASH_SLOTS:
        raise CommandError("Invalid slot")
    return ctx.keyspace.count_keys_in_slot(slot)


@command("getkeysinslot", 4, "stale", acl="@slow", parent="cluster")
def cluster_getkeysinslot(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx)
    slot = parse_int(argv[2])
    count = parse_int(argv[3])
    if not 0 <= slot < HASH_SLOTS or count < 0:
        raise CommandError("Invalid slot or number of keys")
    return list(ctx.keyspace.keys_in_slot(slot, count))


@command("meet", -4, "admin stale no_async_loading", acl=_ACL, parent="cluster")
def cluster_meet(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    if len(argv) > 5:
        raise SyntaxErr()
    try:
        port = parse_int(argv[3])
    except NodeError:
        raise CommandError(f"Invalid TCP base port specified: {argv[3].decode()}") from None
    cport = port + 10000
    if len(argv) == 5:
        try:
            cport = parse_int(argv[4])
        except NodeError:
            raise CommandError(f"Invalid TCP bus port specified: {argv[4].decode()}") from None
    ip = argv[2].decode(errors="replace")
    _apply(engine, lambda: admin.meet(engine, ip, port, cport))
    return OK


def _slot_list(argv: list[bytes]) -> list[int]:
    return [_slot(a) for a in argv[2:]]


def _slot_ranges(argv: list[bytes]) -> list[int]:
    if len(argv) % 2 == 1:
        raise CommandError(
            f"wrong number of arguments for '{argv[0].decode().lower()}|"
            f"{argv[1].decode().lower()}' command"
        )
    slots: list[int] = []
    for i in range(2, len(argv), 2):
        start, end = _slot(argv[i]), _slot(argv[i + 1])
        if start > end:
            raise CommandError(f"start slot number {start} is greater than end slot number {end}")
        slots.extend(range(start, end + 1))
    return slots


@command("addslots", -3, _ADMIN, acl=_ACL, parent="cluster")
def cluster_addslots(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    slots = _slot_list(argv)
    _apply(engine, lambda: admin.add_slots(engine, slots))
    return OK


@command("addslotsrange", -4, _ADMIN, acl=_ACL, parent="cluster")
def cluster_addslotsrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    slots = _slot_ranges(argv)
    _apply(engine, lambda: admin.add_slots(engine, slots))
    return OK


@command("delslots", -3, _ADMIN, acl=_ACL, parent="cluster")
def cluster_delslots(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    slots = _slot_list(argv)
    _apply(engine, lambda: admin.del_slots(engine, slots))
    return OK


@command("delslotsrange", -4, _ADMIN, acl=_ACL, parent="cluster")
def cluster_delslotsrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    slots = _slot_ranges(argv)
    _apply(engine, lambda: admin.del_slots(engine, slots))
    return OK


@command("flushslots", 2, _ADMIN, acl=_ACL, parent="cluster")
def cluster_flushslots(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    _apply(engine, lambda: admin.flush_slots(engine, len(ctx.keyspace)))
    return OK


@command("set-config-epoch", 3, _ADMIN, acl=_ACL, parent="cluster")
def cluster_set_config_epoch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    epoch = parse_int(argv[2])
    _apply(engine, lambda: admin.set_config_epoch(engine, epoch))
    return OK


@command("bumpepoch", 2, _ADMIN, acl=_ACL, parent="cluster")
def cluster_bumpepoch(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    bumped, epoch = admin.bump_epoch(engine)
    engine.after_command()
    return Simple(f"{'BUMPED' if bumped else 'STILL'} {epoch}".encode())


@command("replicate", 3, _ADMIN, acl=_ACL, parent="cluster")
def cluster_replicate(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    node_id = argv[2].decode(errors="replace")
    _apply(engine, lambda: admin.replicate(engine, node_id, len(ctx.keyspace)))
    return OK


def _replicas(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    try:
        lines = admin.replicas(engine, argv[2].decode(errors="replace"))
    except ClusterCommandError as exc:
        raise CommandError(str(exc)) from None
    return [line.encode() for line in lines]


@command("replicas", 3, "admin stale", acl=_ACL, parent="cluster")
def cluster_replicas(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _replicas(ctx, argv)


@command("slaves", 3, "admin stale", acl=_ACL, parent="cluster")
def cluster_slaves(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _replicas(ctx, argv)


@command("forget", 3, _ADMIN, acl=_ACL, parent="cluster")
def cluster_forget(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    node_id = argv[2].decode(errors="replace")
    _apply(engine, lambda: admin.forget(engine, node_id))
    return OK


@command("reset", -2, "admin noscript stale", acl=_ACL, parent="cluster")
def cluster_reset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    hard = False
    if len(argv) == 3:
        mode = argv[2].lower()
        if mode not in (b"hard", b"soft"):
            raise SyntaxErr()
        hard = mode == b"hard"
    elif len(argv) > 3:
        raise SyntaxErr()
    was_replica = engine.myself.is_replica
    _apply(engine, lambda: admin.reset(engine, hard=hard, dbsize=len(ctx.keyspace)))
    if was_replica:
        ctx.keyspace.flush()  # a reset replica starts empty, as in redis
    return OK


@command("saveconfig", 2, _ADMIN, acl=_ACL, parent="cluster")
def cluster_saveconfig(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    try:
        engine.save_now(fsync=True)
    except OSError as exc:
        raise CommandError(f"error saving the cluster node config: {exc.strerror}") from None
    return OK


@command("count-failure-reports", 3, "admin stale", acl=_ACL, parent="cluster")
def cluster_count_failure_reports(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = _engine(ctx)
    try:
        return admin.count_failure_reports(engine, argv[2].decode(errors="replace"))
    except ClusterCommandError as exc:
        raise CommandError(str(exc)) from None


@command("failover", -2, _ADMIN, acl=_ACL, parent="cluster")
def cluster_failover(ctx: CommandContext, argv: list[bytes]) -> Reply:
    component = _component(ctx)
    engine = component.engine
    force = takeover = False
    if len(argv) == 3:
        mode = argv[2].lower()
        if mode == b"force":
            force = True
        elif mode == b"takeover":
            force = takeover = True
        else:
            raise SyntaxErr()
    elif len(argv) > 3:
        raise SyntaxErr()
    me = engine.myself
    if me.is_master:
        raise CommandError("You should send CLUSTER FAILOVER to a replica")
    if me.master is None:
        raise CommandError("I'm a replica but my master is unknown to me")
    if not force and (me.master.failed or me.master.link is None):
        raise CommandError("Master is down or failed, please use CLUSTER FAILOVER FORCE")
    component.failover.start_manual(force=force, takeover=takeover)
    engine.after_command()
    return OK


# (subcommand line, description lines), in redis-server 7.0's order
_HELP: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ADDSLOTS <slot> [<slot> ...]", ("Assign slots to current node.",)),
    (
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        ("Assign slots which are between <start-slot> and <end-slot> to current node.",),
    ),
    ("BUMPEPOCH", ("Advance the cluster config epoch.",)),
    ("COUNT-FAILURE-REPORTS <node-id>", ("Return number of failure reports for <node-id>.",)),
    ("COUNTKEYSINSLOT <slot>", ("Return the number of keys in <slot>.",)),
    ("DELSLOTS <slot> [<slot> ...]", ("Delete slots information from current node.",)),
    (
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        (
            "Delete slots information which are between <start-slot> and <end-slot> "
            "from current node.",
        ),
    ),
    ("FAILOVER [FORCE|TAKEOVER]", ("Promote current replica node to being a master.",)),
    ("FORGET <node-id>", ("Remove a node from the cluster.",)),
    ("GETKEYSINSLOT <slot> <count>", ("Return key names stored by current node in a slot.",)),
    ("FLUSHSLOTS", ("Delete current node own slots information.",)),
    ("INFO", ("Return information about the cluster.",)),
    ("KEYSLOT <key>", ("Return the hash slot for <key>.",)),
    ("MEET <ip> <port> [<bus-port>]", ("Connect nodes into a working cluster.",)),
    ("MYID", ("Return the node id.",)),
    (
        "NODES",
        (
            "Return cluster configuration seen by node. Output format:",
            "<id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        ),
    ),
    ("REPLICATE <node-id>", ("Configure current node as replica to <node-id>.",)),
    ("RESET [HARD|SOFT]", ("Reset current node (default: soft).",)),
    ("SET-CONFIG-EPOCH <epoch>", ("Set config epoch of current node.",)),
    (
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
        ("Set slot state.",),
    ),
    ("REPLICAS <node-id>", ("Return <node-id> replicas.",)),
    ("SAVECONFIG", ("Force saving cluster configuration on disk.",)),
    (
        "SLOTS",
        (
            "Return information about slots range mappings. Each range is made of:",
            "start, end, master and replicas IP addresses, ports and ids",
        ),
    ),
    (
        "SHARDS",
        ("Return information about slot range mappings and the nodes associated with them.",),
    ),
    (
        "LINKS",
        (
            "Return information about all network links between this node and its peers.",
            "Output format is an array where each array element is a map containing "
            "attributes of a link",
        ),
    ),
    ("HELP", ("Prints this help.",)),
)


@command("help", 2, "loading stale", acl="@slow", parent="cluster")
def cluster_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    lines = ["CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"]
    for usage, description in _HELP:
        lines.append(usage)
        lines.extend(f"    {text}" for text in description)
    return [Simple(line.encode()) for line in lines]


@command("readonly", 1, "loading stale fast", acl="@fast @connection")
def readonly(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx).flags_of(ctx.client.id).readonly = True
    return OK


@command("readwrite", 1, "loading stale fast", acl="@fast @connection")
def readwrite(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx).flags_of(ctx.client.id).readonly = False
    return OK


@command("asking", 1, "fast", acl="@fast @connection")
def asking(ctx: CommandContext, argv: list[bytes]) -> Reply:
    _component(ctx).asking.add(ctx.client.id)
    return OK
