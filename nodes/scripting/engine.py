"""Running scripts: the run context, ``redis.call`` and the kill hook (redis's
``script.c``), shared by EVAL and FCALL.

One :class:`ScriptEngine` per server (:func:`engine_for`). A run executes on the event
loop, so nothing else runs until it ends (atomicity). The commands a script calls go
through :func:`nodes.commands.dispatch.call` on a script client; their writes collect in
``server.pending_propagation`` and the dispatcher flushes them after the EVAL/FCALL as one
batch (wrapped in MULTI/EXEC when there are several): effects replication, as redis 7.0.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nodes.acl.enforce import script_refusal
from nodes.client import Client
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import call
from nodes.commands.registry import COMMANDS, Command
from nodes.keyslot import keyslot
from nodes.resp.values import Blocked, Error, Reply
from nodes.scripting.convert import lua_to_reply, reply_to_lua
from nodes.scripting.library import FunctionStore
from nodes.scripting.sandbox import LuaFunction, LuaSandbox
from nodes.scripting.shebang import ScriptFlags

if TYPE_CHECKING:
    from nodes.server import Server

log = logging.getLogger("splitbrain.scripting")

_LOG_LEVELS = (logging.DEBUG, logging.INFO, logging.INFO, logging.WARNING)
REPL_AOF = 1
REPL_REPLICA = 2
REPL_ALL = 3

SLOW_SCRIPT = Error(
    b"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)
SLOW_FUNCTION = Error(
    b"BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)


@dataclass(slots=True)
class RunContext:
    """One script invocation (redis's ``scriptRunCtx``)."""

    caller: CommandContext
    name: bytes
    """The script's SHA (EVAL) or function name (FCALL), as errors and logs name it."""
    flags: ScriptFlags
    is_eval: bool
    read_only: bool
    start: float
    resp: int = 2
    repl_flags: int = REPL_ALL
    write_dirty: bool = False
    timed_out: bool = False
    killed: bool = False
    slot: int = -1
    """The slot of the keys touched so far (cluster mode), -1 before the first."""
    declared_slot: int = -1
    argv: list[bytes] = field(default_factory=list)
    """The EVAL/FCALL command line (FUNCTION STATS shows it)."""


@dataclass(slots=True)
class CachedScript:
    """A compiled EVAL body."""

    body: bytes
    flags: ScriptFlags
    function: LuaFunction = field(repr=False)


class ScriptEngine:
    """The interpreter, the script cache and the current run for one server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.box = LuaSandbox(self)
        """The EVAL interpreter (SCRIPT FLUSH replaces it)."""
        self.function_box = LuaSandbox(self)
        """The FUNCTION interpreter (FUNCTION FLUSH replaces it), as redis keeps two."""
        self.active = self.box
        """The interpreter of the current run (what ``redis.call`` converts for)."""
        self.functions = FunctionStore()
        self.scripts: dict[bytes, CachedScript] = {}
        self.run: RunContext | None = None
        self.script_client = Client(id=0, addr="", laddr="", fd=-1, created_ms=0, script=True)
        self.script_client.last_command = b"eval"
        self.script_ctx = CommandContext(server, self.script_client)
        self.script_ctx.in_exec = True  # never blocks (redis's CLIENT_DENY_BLOCKING)
        self.on_timeout: list[Callable[[RunContext], None]] = []
        """Called once when a run passes ``busy-reply-threshold`` (the BUSY responder)."""
        self.on_finish: list[Callable[[RunContext], None]] = []

    def reset(self) -> None:
        """SCRIPT FLUSH: a fresh interpreter and an empty cache."""
        self.box = LuaSandbox(self)
        self.scripts.clear()

    def reset_functions(self) -> None:
        """FUNCTION FLUSH: a fresh function interpreter and no libraries."""
        self.function_box = LuaSandbox(self)
        self.functions.flush()

    # ---- running ---------------------------------------------------------------------
    def execute(
        self,
        caller: CommandContext,
        name: bytes,
        flags: ScriptFlags,
        *,
        is_eval: bool,
        read_only: bool,
        keys: list[bytes],
        args: list[bytes],
        function: LuaFunction,
        argv: list[bytes],
    ) -> Reply:
        """Run an EVAL script or a library function to completion; returns its reply."""
        box = self.box if is_eval else self.function_box
        self.active = box
        server = self.server
        run = RunContext(
            caller=caller,
            name=name,
            flags=flags,
            is_eval=is_eval,
            read_only=read_only or (not flags.compat and flags.no_writes),
            start=server.loop.time(),
            argv=argv,
        )
        if server.cluster_enabled and keys:
            run.declared_slot = run.slot = keyslot(keys[0])
        self.run = run
        self.script_client.resp = 2
        # The caller's database, whatever a previous run SELECTed (redis's lua client).
        self.script_ctx.keyspace = caller.keyspace
        self.script_client.db = caller.client.db
        timed = server.config.get_int("busy-reply-threshold") > 0
        lua_keys = box.array(keys)
        lua_args = box.array(args)
        try:
            if is_eval:
                ok, value = box.run_eval(function, lua_keys, lua_args, timed)
            else:
                ok, value = box.run_function(function, lua_keys, lua_args, timed)
            if ok:
                return lua_to_reply(box, value, self.script_client.resp, caller.client.resp)
            return self._failure(run, value)
        finally:
            self.run = None
            for hook in self.on_finish:
                hook(run)

    def _failure(self, run: RunContext, err: Any) -> Error:
        """The error reply of a script that raised (``luaCallFunction``)."""
        box = self.active
        if box.lua_type(err) != b"table":
            text = err if isinstance(err, bytes) else b"execution failure"
            return Error(b"ERR Error running script " + run.name + b", " + text[:100])
        msg = box.rawget(err, b"err")
        source = box.rawget(err, b"source")
        line = box.rawget(err, b"line")
        text = _lua_string(msg) if msg is not None else b""
        if source is not None and line is not None:
            text += (
                b" script: "
                + run.name
                + b", on "
                + _lua_string(source)
                + b":"
                + _lua_string(line)
                + b"."
            )
        return Error(text.replace(b"\r", b" ").replace(b"\n", b" "))

    # ---- redis.* callbacks (ScriptHost) ---------------------------------------------
    def lua_call(self, raise_error: bool, *args: object) -> tuple[bool, object]:
        box = self.active
        run = self.run
        if run is None:
            return False, box.error_table(
                b"redis.call/pcall can only be called inside a script invocation"
            )
        if not args:
            return False, box.error_table(
                b"Please specify at least one argument for this redis lib call"
            )
        argv: list[bytes] = []
        for arg in args:
            if type(arg) is bytes:
                argv.append(arg)
            elif type(arg) is int or type(arg) is float:
                argv.append(b"%.17g" % arg)
            else:
                return False, box.error_table(
                    b"Lua redis lib command arguments must be strings or integers"
                )
        cmd_or_err = self._verify(run, argv)
        if isinstance(cmd_or_err, bytes):
            return False, box.error_table(cmd_or_err)
        cmd = cmd_or_err
        server = self.server
        pending = len(server.pending_propagation)
        reply = call(self.script_ctx, cmd, argv)
        if run.repl_flags == 0:
            del server.pending_propagation[pending:]
        if isinstance(reply, Blocked):
            reply.future.cancel()
            reply = None
        if type(reply) is Error:
            assert isinstance(reply, Error)
            return False, box.error_table(b"-" + reply.text)
        return True, reply_to_lua(box, reply, self.script_client.resp)

    def _verify(self, run: RunContext, argv: list[bytes]) -> Command | bytes:
        """redis's ``scriptCall`` checks: the command or the error text."""
        cmd = COMMANDS.get(argv[0].lower())
        if cmd is not None and cmd.subcommands and len(argv) >= 2:
            cmd = cmd.subcommands.get(argv[1].lower())
        if cmd is None:
            return b"Unknown Redis command called from script"
        arity = cmd.arity
        if (arity > 0 and len(argv) != arity) or len(argv) < -arity:
            return b"Wrong number of args calling Redis command from script"
        if "noscript" in cmd.flags:
            return b"This Redis command is not allowed from script"
        if run.caller.client.user.restricted:
            denied = script_refusal(run.caller, cmd, argv)
            if denied is not None:
                return denied
        if cmd.is_write:
            if run.read_only:
                return b"Write commands are not allowed from read-only scripts."
            gate = self.server.write_gate
            if gate is not None:
                refused = gate(run.caller, cmd)
                if isinstance(refused, Error):
                    return b"-" + refused.text
            run.write_dirty = True
        if self.server.cluster_enabled and cmd.has_keys:
            refused_text = self._verify_cluster(run, cmd, argv)
            if refused_text is not None:
                return refused_text
        return cmd

    def _verify_cluster(self, run: RunContext, cmd: Command, argv: list[bytes]) -> bytes | None:
        keys = cmd.keys(argv)
        if not keys:
            return None
        slot = keyslot(keys[0])
        if any(keyslot(k) != slot for k in keys[1:]):
            return b"Script attempted to access a non local key in a cluster node"
        router = self.server.router
        if router is not None:
            refused = router(run.caller, cmd, argv, keys, slot)
            if isinstance(refused, Blocked):
                refused.future.cancel()
                return b"Script attempted to access a non local key in a cluster node"
            if isinstance(refused, Error):
                if refused.text.startswith(b"CLUSTERDOWN"):
                    if cmd.is_write and b"readonly" in refused.text:
                        return (
                            b"Script attempted to execute a write command while the "
                            b"cluster is down and readonly"
                        )
                    return b"Script attempted to execute a command while the cluster is down"
                return b"Script attempted to access a non local key in a cluster node"
        if not run.flags.allow_cross_slot:
            if run.slot == -1:
                run.slot = slot
            elif run.slot != slot:
                return b"Script attempted to access keys that do not hash to the same slot"
        return None

    def lua_log(self, level: int, message: bytes) -> None:
        log.log(_LOG_LEVELS[int(level)], "%s", message.decode(errors="replace"))

    def lua_setresp(self, resp: int) -> None:
        self.script_client.resp = int(resp)

    def lua_set_repl(self, flags: int) -> None:
        if self.run is not None:
            self.run.repl_flags = int(flags)

    def lua_acl_check_cmd(self, *args: object) -> tuple[bool, object]:
        box = self.active
        if not args:
            return False, box.error_table(
                b"Please specify at least one argument for this redis lib call"
            )
        name = args[0]
        cmd = COMMANDS.get(name.lower()) if isinstance(name, bytes) else None
        if cmd is None:
            return False, box.error_table(b"Invalid command passed to redis.acl_check_cmd()")
        return True, True

    def lua_interrupt(self) -> bool:
        run = self.run
        if run is None:
            return False
        if not run.timed_out:
            elapsed_ms = (self.server.loop.time() - run.start) * 1000
            if elapsed_ms < self.server.config.get_int("busy-reply-threshold"):
                return False
            run.timed_out = True
            log.warning(
                "Slow script detected: still in execution after %d milliseconds. "
                "You can try killing the script using the %s command. Script name is: %s.",
                elapsed_ms,
                "SCRIPT KILL" if run.is_eval else "FUNCTION KILL",
                run.name.decode(errors="replace"),
            )
            for hook in self.on_timeout:
                hook(run)
        if run.killed:
            log.warning("Lua script killed by user with SCRIPT KILL.")
        return run.killed

    # ---- SCRIPT KILL / FUNCTION KILL ----------------------------------------------------
    def kill(self, is_eval: bool) -> Error | None:
        """Flag the running script to stop (``scriptKill``): ``None`` or the refusal."""
        run = self.run
        if run is None:
            return Error(b"NOTBUSY No scripts in execution right now.")
        if run.write_dirty:
            return Error(
                b"UNKILLABLE Sorry the script already executed write commands against the "
                b"dataset. You can either wait the script termination or kill the server in "
                b"a hard way using the SHUTDOWN NOSAVE command."
            )
        if is_eval and not run.is_eval:
            return SLOW_FUNCTION
        if not is_eval and run.is_eval:
            return SLOW_SCRIPT
        run.killed = True
        return None


def _lua_string(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return b"%.14g" % value
    return b""


_ENGINES: weakref.WeakKeyDictionary[Server, ScriptEngine] = weakref.WeakKeyDictionary()


def existing_engine(server: Server) -> ScriptEngine | None:
    """The server's engine if a script or function made one, else None."""
    return _ENGINES.get(server)


def engine_for(server: Server) -> ScriptEngine:
    """The server's engine (created on first use: the interpreter costs ~1 ms)."""
    engine = _ENGINES.get(server)
    if engine is None:
        engine = ScriptEngine(server)
        _ENGINES[server] = engine
    return engine
