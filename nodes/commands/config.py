"""CONFIG GET/SET/REWRITE/RESETSTAT/HELP."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.config import ConfigSetError
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.values import OK, Reply, Simple


@command("config", -2, "", acl="@slow", container=True)
def config(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


@command("get", -3, "admin noscript loading stale", acl="@admin @slow @dangerous", parent="config")
def config_get(ctx: CommandContext, argv: list[bytes]) -> Reply:
    out: dict[bytes, Reply] = {}
    for pattern in argv[2:]:
        out.update(ctx.server.config.matching(pattern))
    return out


@command(
    "set",
    -4,
    "admin noscript loading stale",
    acl="@admin @slow @dangerous",
    tips="request_policy:all_nodes response_policy:all_succeeded",
    parent="config",
)
def config_set(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) % 2:
        raise SyntaxErr()
    pairs = [
        (argv[i].decode(errors="surrogateescape"), argv[i + 1].decode(errors="surrogateescape"))
        for i in range(2, len(argv), 2)
    ]
    local = ctx.client.addr.startswith(("127.", "[::1]"))
    try:
        ctx.server.config.set_many(pairs, local=local)
    except ConfigSetError as exc:
        raise CommandError(str(exc)) from None
    return OK


@command(
    "rewrite", 2, "admin noscript loading stale", acl="@admin @slow @dangerous", parent="config"
)
def config_rewrite(ctx: CommandContext, argv: list[bytes]) -> Reply:
    try:
        ctx.server.config.rewrite()
    except OSError as exc:
        if ctx.server.config.config_file is None:
            raise CommandError("The server is running without a config file") from None
        raise CommandError(f"Rewriting config file: {exc.strerror or exc}") from None
    return OK


@command(
    "resetstat", 2, "admin noscript loading stale", acl="@admin @slow @dangerous", parent="config"
)
def config_resetstat(ctx: CommandContext, argv: list[bytes]) -> Reply:
    stats = ctx.server.stats
    stats.commands = stats.connections = 0
    ctx.server.command_stats.reset()
    ctx.server.error_stats.reset()
    ctx.server.timing.histograms.clear()  # redis frees every command's latency histogram
    stats.net_input_bytes = stats.net_output_bytes = stats.rejected_connections = 0
    return OK


@command("help", 2, "loading stale", acl="@slow", parent="config")
def config_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    lines = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ]
    return [Simple(line.encode()) for line in lines]
