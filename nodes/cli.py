"""The ``splitbrain-server`` command line: ``splitbrain-server [config-file] [--name value...]``.

Start-up follows redis-server 7.0: read the options (``nodes.config``), detach when
``daemonize yes`` (unless supervised), log ``Redis is starting`` / ``Configuration
loaded``, build the server, write the pidfile, log the banner and ``Server
initialized``, load the AOF, listen (``Failed listening on port P (TCP), aborting.``),
then ``Ready to accept connections``.

Exit status: 0 after a clean shutdown (SIGTERM, SIGINT, SHUTDOWN), 1 for a bad option, an
unloadable AOF or a port that cannot be bound.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence

from nodes.cluster.component import install as install_cluster
from nodes.cluster.nodes_conf import NodesConfError
from nodes.commands import load_all
from nodes.commands.rename import apply_renames
from nodes.config import Config, parse_command_line
from nodes.daemon import Daemon, daemonize, pidfile_path, remove_pidfile, write_pidfile
from nodes.errors import AofError, ConfigError
from nodes.info import VERSION
from nodes.listen import ListenError
from nodes.replication import install as install_replication
from nodes.server import Server
from nodes.serverlog import RedisFormatter, log_banner, log_starting, setup_logging
from nodes.supervision import notify_ready, supervisor

log = logging.getLogger("splitbrain")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # noqa: PLC0415  (optional accelerator)
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def _fatal(message: str, *, logged: bool = False) -> int:
    """A start-up failure: in the log (redis's place for it) and one line on stderr."""
    if not logged:
        log.warning("%s", message)
    print(f"splitbrain-server: {message}", file=sys.stderr)
    return 1


def _signal_flags(config: Config, sig: signal.Signals) -> frozenset[str]:
    name = "shutdown-on-sigterm" if sig == signal.SIGTERM else "shutdown-on-sigint"
    return frozenset(config.get_words(name)) - {"default"}


def _on_signal(server: Server, sig: signal.Signals) -> None:
    flags = _signal_flags(server.config, sig)
    save = True if "save" in flags else False if "nosave" in flags else None
    if not server.request_shutdown(save, flags) and "force" in flags:
        server.request_shutdown(False, flags)


async def _serve(config: Config, daemon: Daemon, formatter: RedisFormatter) -> int:
    loop = asyncio.get_running_loop()
    server = Server(config, loop)
    if server.acl.startup_error is not None:
        return _fatal(server.acl.startup_error)
    install_replication(server)
    repl = server.replication
    formatter.role = lambda: "S" if repl is not None and repl.is_replica else "M"
    if server.cluster_enabled:
        try:
            install_cluster(server)
        except NodesConfError as exc:
            return _fatal(str(exc))
    pidfile = pidfile_path(config.get_str("pidfile"), config.get_bool("daemonize"))
    if pidfile is not None:
        write_pidfile(pidfile)
    log_banner(config)
    log.warning("Server initialized")
    try:
        await server.start()
    except AofError as exc:
        await server.stop()
        return _fatal(str(exc))
    except ListenError as exc:
        await server.stop()
        return _fatal(f"Could not listen: {exc.strerror}", logged=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _on_signal, server, sig)
    daemon.ready()
    notify_ready(config)
    try:
        await server.wait_stopped()
    finally:
        if pidfile is not None:
            remove_pidfile(pidfile)
    log.warning("Redis is now ready to exit, bye bye...")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-v", "--version"):
        print(f"splitbrain-server v={VERSION} sha=00000000:0 malloc=libc bits=64 build=0")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(
            "Usage: splitbrain-server [/path/to/redis.conf] [options] [-]\n"
            "       splitbrain-server - (read config from stdin)\n"
            "       splitbrain-server --port 7777 --appendonly yes\n"
            "       splitbrain-server /etc/redis/redis.conf --port 7000 --daemonize no"
        )
        return 0
    load_all()
    try:
        config = parse_command_line(args)
        apply_renames(config.renames)
        if config.get_int("tls-port"):
            raise ConfigError("option 'tls-port': splitbrain-server has no TLS")
    except ConfigError as exc:
        print(f"*** FATAL CONFIG ERROR *** {exc}", file=sys.stderr)
        return 1
    directory = config.get_str("dir")
    try:
        os.chdir(directory)
    except OSError as exc:
        print(
            f"*** FATAL CONFIG ERROR *** option 'dir': can't chdir to '{directory}': "
            f"{exc.strerror}",
            file=sys.stderr,
        )
        return 1
    config.values["dir"] = os.getcwd()
    daemon = Daemon(None)
    if config.get_bool("daemonize") and supervisor(config) is None:
        daemon = daemonize()
    formatter = setup_logging(config)
    log_starting(config, with_options=bool(args))
    # Startup objects (command table, modules) never die: keep the cyclic GC off them, and
    # collect young objects less often (the per-request path allocates only short-lived,
    # acyclic objects).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    loop = _new_loop()
    try:
        return loop.run_until_complete(_serve(config, daemon, formatter))
    finally:
        loop.close()
