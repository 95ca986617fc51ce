"""Functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/KILL/STATS/HELP and FCALL,
FCALL_RO (redis's ``functions.c``). Libraries live in :mod:`nodes.scripting.library`."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.commands.scripting import (
    EVAL_FLAGS,
    EVAL_RO_FLAGS,
    check_script_flags,
    numkeys_getkeys,
)
from nodes.errors import CommandError, NodeError
from nodes.pattern import matches
from nodes.resp.values import OK, Reply, SetReply, Simple
from nodes.scripting.engine import engine_for
from nodes.scripting.shebang import FLAG_NAMES

_ALL = "request_policy:all_shards response_policy:all_succeeded"


def _fcall(ctx: CommandContext, argv: list[bytes], read_only: bool) -> Reply:
    engine = engine_for(ctx.server)
    fn = engine.functions.functions.get(argv[1])
    if fn is None:
        raise CommandError("Function not found")
    try:
        numkeys = int(argv[2])
    except ValueError:
        raise CommandError("Bad number of keys provided") from None
    if numkeys > len(argv) - 3:
        raise CommandError("Number of keys can't be greater than number of args")
    if numkeys < 0:
        raise CommandError("Number of keys can't be negative")
    check_script_flags(ctx, fn.flags, read_only)
    return engine.execute(
        ctx,
        fn.name,
        fn.flags,
        is_eval=False,
        read_only=read_only,
        keys=argv[3 : 3 + numkeys],
        args=argv[3 + numkeys :],
        function=fn.callback,
        argv=argv,
    )


def _key_spec(read_only: bool) -> KeySpec:
    if read_only:
        return KeySpec(
            ("RO", "access"),
            begin_index=2,
            keynum=(0, 1, 1),
            notes=b"We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
        )
    return KeySpec(
        ("RW", "access", "update"),
        begin_index=2,
        keynum=(0, 1, 1),
        notes=b"We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
    )


@command(
    "fcall",
    -3,
    EVAL_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(False),),
    getkeys=numkeys_getkeys,
)
def fcall(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _fcall(ctx, argv, read_only=False)


@command(
    "fcall_ro",
    -3,
    EVAL_RO_FLAGS,
    acl="@slow @scripting",
    key_specs=(_key_spec(True),),
    getkeys=numkeys_getkeys,
)
def fcall_ro(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _fcall(ctx, argv, read_only=True)


@command("function", -2, "", acl="@slow", container=True)
def function(ctx: CommandContext, argv: list[bytes]) -> Reply:
    raise AssertionError("container")


def _changed(ctx: CommandContext) -> None:
    """The command changed the function set: propagate it as it came (redis's
    ``server.dirty++``)."""
    ctx.keyspace.dirty += 1


@command(
    "load",
    -3,
    "write denyoom noscript",
    acl="@write @slow @scripting",
    tips=_ALL,
    parent="function",
)
def function_load(ctx: CommandContext, argv: list[bytes]) -> Reply:
    replace = False
    pos = 2
    while pos < len(argv) - 1:
        arg = argv[pos]
        pos += 1
        if arg.lower() == b"replace":
            replace = True
            continue
        raise CommandError(b"Unknown option given: " + arg)
    engine = engine_for(ctx.server)
    name = engine.functions.load(engine, argv[pos], replace)
    _changed(ctx)
    return name


@command("delete", 3, "write noscript", acl="@write @slow @scripting", tips=_ALL, parent="function")
def function_delete(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine_for(ctx.server).functions.delete(argv[2])
    _changed(ctx)
    return OK


@command("flush", -2, "write noscript", acl="@write @slow @scripting", tips=_ALL, parent="function")
def function_flush(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError("FUNCTION FLUSH only supports SYNC|ASYNC option")
    engine_for(ctx.server).reset_functions()
    _changed(ctx)
    return OK


@command(
    "list",
    -2,
    "noscript",
    acl="@slow @scripting",
    tips="nondeterministic_output_order",
    parent="function",
)
def function_list(ctx: CommandContext, argv: list[bytes]) -> Reply:
    with_code = False
    pattern: bytes | None = None
    i = 2
    while i < len(argv):
        arg = argv[i].lower()
        if not with_code and arg == b"withcode":
            with_code = True
        elif pattern is None and arg == b"libraryname":
            if i >= len(argv) - 1:
                raise CommandError("library name argument was not given")
            i += 1
            pattern = argv[i]
        else:
            raise CommandError(b"Unknown argument " + argv[i])
        i += 1
    out: list[Reply] = []
    for lib in engine_for(ctx.server).functions.libraries.values():
        if pattern is not None and not matches(pattern, lib.name, nocase=True):
            continue
        entry: dict[bytes, Reply] = {
            b"library_name": lib.name,
            b"engine": b"LUA",
            b"functions": [
                {
                    b"name": fn.name,
                    b"description": fn.description,
                    b"flags": SetReply([Simple(f) for f in FLAG_NAMES if f in fn.flags.names]),
                }
                for fn in lib.functions.values()
            ],
        }
        if with_code:
            entry[b"library_code"] = lib.code
        out.append(entry)
    return out


@command("dump", 2, "noscript", acl="@slow @scripting", parent="function")
def function_dump(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return engine_for(ctx.server).functions.dump()


@command(
    "restore",
    -3,
    "write denyoom noscript",
    acl="@write @slow @scripting",
    tips=_ALL,
    parent="function",
)
def function_restore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) > 4:
        raise NodeError(b"ERR syntax error")
    policy = argv[3].lower() if len(argv) == 4 else b"append"
    if policy not in (b"flush", b"append", b"replace"):
        raise CommandError(
            "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
        )
    engine = engine_for(ctx.server)
    engine.functions.restore(engine, argv[2], policy)
    _changed(ctx)
    return OK


@command(
    "kill",
    2,
    "noscript allow_busy",
    acl="@slow @scripting",
    tips="request_policy:all_shards response_policy:one_succeeded",
    parent="function",
)
def function_kill(ctx: CommandContext, argv: list[bytes]) -> Reply:
    refused = engine_for(ctx.server).kill(is_eval=False)
    if refused is not None:
        raise NodeError(refused.text)
    return OK


@command(
    "stats",
    2,
    "noscript allow_busy",
    acl="@slow @scripting",
    tips="nondeterministic_output request_policy:all_shards response_policy:special",
    parent="function",
)
def function_stats(ctx: CommandContext, argv: list[bytes]) -> Reply:
    engine = engine_for(ctx.server)
    run = engine.run
    if run is not None and run.is_eval:
        raise NodeError(
            b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
            b"SHUTDOWN NOSAVE."
        )
    running: Reply = None
    if run is not None:
        running = {
            b"name": run.name,
            b"command": list(run.argv),
            b"duration_ms": int((ctx.server.loop.time() - run.start) * 1000),
        }
    store = engine.functions
    return {
        b"running_script": running,
        b"engines": {
            b"LUA": {
                b"libraries_count": len(store.libraries),
                b"functions_count": len(store.functions),
            }
        },
    }


_FUNCTION_HELP = (
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored "
    "using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a "
    "restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
    "replace the old",
    "      libraries with the new libraries (notice that even on this option there is a "
    "chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
)


@command("help", 2, "loading stale", acl="@slow @scripting", parent="function")
def function_help(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return [Simple(line.encode()) for line in _FUNCTION_HELP]
