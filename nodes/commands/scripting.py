"""Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP
(redis's ``eval.c``). The engine is :mod:`nodes.scripting.engine`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from nodes.client_pause import SCRIPT_WRITES
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import COMMANDS, Command, KeySpec, command
from nodes.errors import CommandError, NodeError
from nodes.resp.values import OK, Error, Reply, Simple
from nodes.scripting.engine import CachedScript, ScriptEngine, engine_for
from nodes.scripting.shebang import ScriptFlags, parse_shebang

NOSCRIPT = NodeError(b"NOSCRIPT No matching script. Please use EVAL.")


def numkeys_getkeys(argv: Sequence[bytes]) -> list[int]:
    """Keys of ``CMD script|sha|function numkeys key... arg...`` (never raises)."""
    if len(argv) < 3:
        return []
    try:
        n = int(argv[2])
    except ValueError:
        return []
    if n <= 0 or n > len(argv) - 3:
        return []
    return list(range(3, 3 + n))


def _key_spec(read_only: bool, notes: bool) -> KeySpec:
    if read_only:
        text = b"We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
        flags: tuple[str, ...] = ("RO", "access")
    else:
        text = b"We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
        flags = ("RW", "access", "update")
    return KeySpec(flags, begin_index=2, keynum=(0, 1, 1), notes=text if notes else b"")


_SCRIPT_FLAGS = "noscript stale skip_monitor no_mandatory_keys"
EVAL_FLAGS = _SCRIPT_FLAGS + " may_replicate"
EVAL_RO_FLAGS = "readonly " + _SCRIPT_FLAGS


def split_keys(argv: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """``numkeys key... arg...`` -> (keys, args), with redis's errors."""
    numkeys = parse_int(argv[2])
    if numkeys > len(argv) - 3:
        raise CommandError("Number of keys can't be greater than number of args")
    if numkeys < 0:
        raise CommandError("Number of keys can't be negative")
    return argv[3 : 3 + numkeys], argv[3 + numkeys :]


def load_script(engine: ScriptEngine, body: bytes) -> tuple[bytes, CachedScript]:
    """Compile and cache ``body`` (once): its SHA1 and cache entry, or redis's error."""
    sha = hashlib.sha1(body).hexdigest().encode()
    cached = engine.scripts.get(sha)
    if cached is not None:
        return sha, cached
    flags, shebang_len = parse_shebang(body)
    fn, err = engine.box.compile(body[shebang_len:], b"@user_script")
    if fn is None:
        raise CommandError(b"Error compiling script (new function): " + err)
    cached = CachedScript(body, flags, fn)
    engine.scripts[sha] = cached
    return sha, cached


def check_script_flags(ctx: CommandContext, flags: ScriptFlags, read_only: bool) -> None:
    """``scriptPrepareForRun``'s refusals for a script that declared flags."""
    if flags.compat:
        return
    server = ctx.server
    if flags.no_cluster and server.cluster_enabled:
        raise CommandError("Can not run script on cluster, 'no-cluster' flag is set.")
    if not flags.no_writes:
        # The script may write, so redis treats the EVAL/FCALL as a write command: the
        # replica and min-replicas refusals come first, as for any write.
        gate = server.write_gate
        refused = gate(ctx, COMMANDS[b"set"]) if gate is not None else None
        if isinstance(refused, Error):
            raise NodeError(refused.text)
        if read_only:
            raise CommandError("Can not execute a script with write flag using *_ro command.")


def _eval(ctx: CommandContext, argv: list[bytes], *, by_sha: bool, read_only: bool) -> Reply:
    engine = engine_for(ctx.server)
    if by_sha and len(argv[1]) != 40:
        split_keys(argv)
        raise NOSCRIPT
    keys, args = split_keys(argv)
    if by_sha:
        sha = argv[1].lower()
        cached = engine.scripts.get(sha)
        if cached is None:
            raise NOSCRIPT
    else:
        sha, cached = load_script(engine, argv[1])
    check_script_flags(ctx, cached.flags, read_only)
    return engine.execute(
        ctx,
        sha,
        cached.flags,
        is_eval=True,
        read_only=read_only,
        keys=keys,
        args=args,
        function=cached.function,
        argv=argv,
    )


@command(
    "eval",
    -3,
    EVAL_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(False, True),),
    getkeys=numkeys_getkeys,
)
def eval_(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _eval(ctx, argv, by_sha=False, read_only=False)


@command(
    "evalsha",
    -3,
    EVAL_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(False, False),),
    getkeys=numkeys_getkeys,
)
def evalsha(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _eval(ctx, argv, by_sha=True, read_only=False)


@command(
    "eval_ro",
    -3,
    EVAL_RO_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(True, True),),
    getkeys=numkeys_getkeys,
)
def eval_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _eval(ctx, argv, by_sha=False, read_only=True)


@command(
    "evalsha_ro",
    -3,
    EVAL_RO_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(True, False),),
    getkeys=numkeys_getkeys,
)
def evalsha_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _eval(ctx, argv, by_sha=True, read_only=True)


# ---- SCRIPT -------------------------------------------------------------------------
@command("script", -2, "", acl="@slow", container=True)
def script(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


_SCRIPT_HELP = (
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
)


@command("help", 2, "loading stale", acl="@slow @scripting", parent="script")
def script_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return [Simple(line.encode()) for line in _SCRIPT_HELP]


@command(
    "load",
    3,
    "noscript stale",
    acl="@slow @scripting",
    tips="request_policy:all_nodes response_policy:all_succeeded",
    parent="script",
)
def script_load(ctx: CommandContext, argv: list[bytes]) -> Reply:
    sha, _ = load_script(engine_for(ctx.server), argv[2])
    return sha


@command(
    "exists",
    -3,
    "noscript",
    acl="@slow @scripting",
    tips="request_policy:all_shards response_policy:agg_logical_and",
    parent="script",
)
def script_exists(ctx: CommandContext, argv: list[bytes]) -> Reply:
    scripts = engine_for(ctx.server).scripts
    return [1 if sha.lower() in scripts else 0 for sha in argv[2:]]


@command(
    "flush",
    -2,
    "noscript",
    acl="@slow @scripting",
    tips="request_policy:all_nodes response_policy:all_succeeded",
    parent="script",
)
def script_flush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError("SCRIPT FLUSH only support SYNC|ASYNC option")
    engine_for(ctx.server).reset()
    return OK


@command(
    "kill",
    2,
    "noscript allow_busy",
    acl="@slow @scripting",
    tips="request_policy:all_shards response_policy:one_succeeded",
    parent="script",
)
def script_kill(ctx: CommandContext, argv: list[bytes]) -> Reply:
    refused = engine_for(ctx.server).kill(is_eval=True)
    if refused is not None:
        raise NodeError(refused.text)
    return OK


@command("debug", 3, "noscript", acl="@slow @scripting", parent="script")
def script_debug(ctx: CommandContext, argv: list[bytes]) -> Reply:
    mode = argv[2].lower()
    if mode == b"no":
        return OK
    if mode in (b"yes", b"sync"):
        raise CommandError("SCRIPT DEBUG is not supported by splitbrain-server")
    raise CommandError("Use SCRIPT DEBUG YES/SYNC/NO")


_SCRIPTED = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})


def declares_writes(ctx: CommandContext, cmd: Command, argv: list[bytes]) -> bool | None:
    """redis's ``evalGetCommandFlags`` / ``fcallGetCommandFlags`` for CLIENT PAUSE WRITE:
    whether the script or function would write by its declared flags; None when it
    declares none (or is unknown, or its shebang is bad): the command's flags decide."""
    if cmd.name not in _SCRIPTED or len(argv) < 2:
        return None
    engine = engine_for(ctx.server)
    if cmd.name.startswith("fcall"):
        fn = engine.functions.functions.get(argv[1])
        flags = None if fn is None else fn.flags
    elif cmd.name.startswith("evalsha"):
        cached = engine.scripts.get(argv[1].lower()) if len(argv[1]) == 40 else None
        flags = None if cached is None else cached.flags
    else:
        try:
            flags = parse_shebang(argv[1])[0]
        except NodeError:
            return None
    if flags is None or flags.compat:
        return None
    return not flags.no_writes


SCRIPT_WRITES.append(declares_writes)
