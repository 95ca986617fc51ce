"""SLOWLOG and LATENCY (over ``server.timing``; MONITOR is :mod:`nodes.commands.monitor`)."""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command, command
from nodes.errors import CommandError, NodeError, SubcommandSyntaxError
from nodes.latency_report import doctor, graph
from nodes.resp.values import OK, Reply, Simple, Verbatim

_ADMIN_ACL = "@admin @slow @dangerous"


def _help(lines: list[str]) -> Reply:
    return [Simple(line.encode()) for line in lines]


@command("slowlog", -2, "", acl="@slow", container=True)
def slowlog(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


@command(
    "get",
    -2,
    "admin loading stale",
    acl=_ADMIN_ACL,
    parent="slowlog",
    tips="request_policy:all_nodes nondeterministic_output",
)
def slowlog_get(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3:
        raise SubcommandSyntaxError(argv)
    entries = ctx.server.timing.slowlog.entries
    count = 10
    if len(argv) == 3:
        try:
            count = parse_int(argv[2])
        except NodeError:
            count = -2
        if count < -1:
            raise CommandError("count should be greater than or equal to -1")
        if count == -1:
            count = len(entries)
    return [entry.reply() for entry in entries[:count]]


@command(
    "len",
    2,
    "admin loading stale",
    acl=_ADMIN_ACL,
    parent="slowlog",
    tips="request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
)
def slowlog_len(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return len(ctx.server.timing.slowlog.entries)


@command(
    "reset",
    2,
    "admin loading stale",
    acl=_ADMIN_ACL,
    parent="slowlog",
    tips="request_policy:all_nodes response_policy:all_succeeded",
)
def slowlog_reset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ctx.server.timing.slowlog.reset()
    return OK


@command("help", 2, "loading stale", acl="@slow", parent="slowlog")
def slowlog_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _help(
        [
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ]
    )


@command("latency", -2, "", acl="@slow", container=True)
def latency(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


_LAT = "admin noscript loading stale"
_SPECIAL = "nondeterministic_output request_policy:all_nodes response_policy:special"


@command("latest", 2, _LAT, acl=_ADMIN_ACL, parent="latency", tips=_SPECIAL)
def latency_latest(ctx: CommandContext, argv: list[bytes]) -> Reply:
    events = ctx.server.timing.latency.events
    return [
        [name, series.samples[-1][0], series.samples[-1][1], series.max_ms]
        for name, series in events.items()
    ]


@command("history", 3, _LAT, acl=_ADMIN_ACL, parent="latency", tips=_SPECIAL)
def latency_history(ctx: CommandContext, argv: list[bytes]) -> Reply:
    series = ctx.server.timing.latency.events.get(argv[2])
    return [] if series is None else [[t, ms] for t, ms in series.samples]


@command("graph", 3, _LAT, acl=_ADMIN_ACL, parent="latency", tips=_SPECIAL)
def latency_graph(ctx: CommandContext, argv: list[bytes]) -> Reply:
    series = ctx.server.timing.latency.events.get(argv[2])
    if series is None:
        raise CommandError(b"No samples available for event '" + argv[2] + b"'")
    return Verbatim(graph(argv[2], series, ctx.now_ms() // 1000).encode())


@command("doctor", 2, _LAT, acl=_ADMIN_ACL, parent="latency", tips=_SPECIAL)
def latency_doctor(ctx: CommandContext, argv: list[bytes]) -> Reply:
    timing = ctx.server.timing
    report = doctor(
        timing.latency,
        timing.latency_threshold_ms,
        timing.slowlog.threshold_us,
        ctx.now_ms() // 1000,
    )
    return Verbatim(report.encode())


@command(
    "reset",
    -2,
    _LAT,
    acl=_ADMIN_ACL,
    parent="latency",
    tips="request_policy:all_nodes response_policy:all_succeeded",
)
def latency_reset(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return ctx.server.timing.latency.reset(argv[2:] if len(argv) > 2 else None)


@command("histogram", -2, _LAT, acl=_ADMIN_ACL, parent="latency", tips=_SPECIAL)
def latency_histogram(ctx: CommandContext, argv: list[bytes]) -> Reply:
    histograms = ctx.server.timing.latency.histograms
    out: dict[bytes, Reply] = {}
    if len(argv) == 2:
        names = [c.fullname_bytes for c in COMMANDS.values()]
        names += [s.fullname_bytes for c in COMMANDS.values() for s in c.subcommands.values()]
    else:
        names = []
        for arg in argv[2:]:
            cmd = _lookup(arg)
            if cmd is not None:
                names.append(cmd.fullname_bytes)
                names.extend(s.fullname_bytes for s in cmd.subcommands.values())
    for name in names:
        found = histograms.get(name)
        if found is not None:
            out[name] = found.reply()
    return out


def _lookup(name: bytes) -> Command | None:
    lowered = name.lower()
    if b"|" in lowered:
        parent, _, child = lowered.partition(b"|")
        container = COMMANDS.get(parent)
        return container.subcommands.get(child) if container is not None else None
    return COMMANDS.get(lowered)


@command("help", 2, "loading stale", acl="@slow", parent="latency")
def latency_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _help(
        [
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram "
            "for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help.",
        ]
    )
