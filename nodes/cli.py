"""The ``splitbrain-server`` command line: ``splitbrain-server [config-file] [--name value...]``.

Exit status: 0 after a clean shutdown (SIGTERM, SIGINT, SHUTDOWN), 1 for a bad option, an
unloadable AOF or a port that cannot be bound (one line on stderr and in the log).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from nodes.cluster.component import install as install_cluster
from nodes.cluster.nodes_conf import NodesConfError
from nodes.commands import load_all
from nodes.config import Config, parse_command_line
from nodes.errors import AofError, ConfigError
from nodes.info import VERSION
from nodes.replication import install as install_replication
from nodes.server import Server

log = logging.getLogger("splitbrain")

_LEVELS = {
    "debug": logging.DEBUG,
    "verbose": logging.INFO,
    "notice": logging.INFO,
    "warning": logging.WARNING,
}
_MARKS = {
    logging.DEBUG: ".",
    logging.INFO: "*",
    logging.WARNING: "#",
    logging.ERROR: "#",
    logging.CRITICAL: "#",
}


class _RedisStyle(logging.Formatter):
    """``pid:M 22 Nov 2026 18:40:00.123 * message``, like redis-server's log lines."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record, "%d %b %Y %H:%M:%S") + f".{int(record.msecs):03d}"
        line = f"{record.process}:M {stamp} {_MARKS.get(record.levelno, '*')} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _setup_logging(config: Config) -> None:
    logfile = config.get_str("logfile")
    handler: logging.Handler = (
        logging.FileHandler(logfile) if logfile else logging.StreamHandler(sys.stdout)
    )
    handler.setFormatter(_RedisStyle())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[config.get_str("loglevel")])


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # noqa: PLC0415  (optional accelerator)
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


async def _serve(config: Config) -> int:
    loop = asyncio.get_running_loop()
    server = Server(config, loop)
    install_replication(server)
    if server.cluster_enabled:
        try:
            install_cluster(server)
        except NodesConfError as exc:
            log.critical("%s", exc)
            print(f"splitbrain-server: {exc}", file=sys.stderr)
            return 1
    try:
        await server.start()
    except AofError as exc:
        log.critical("%s", exc)
        print(f"splitbrain-server: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        message = (
            f"Could not create server TCP listening socket "
            f"{config.get_str('bind')}:{config.get_int('port')}: {exc.strerror or exc}"
        )
        log.critical("%s", message)
        print(f"splitbrain-server: {message}", file=sys.stderr)
        await server.stop()
        return 1
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.request_shutdown)
    await server.wait_stopped()
    log.info("Redis is now ready to exit, bye bye...")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-v", "--version"):
        print(f"splitbrain-server v={VERSION} (redis-compatible)")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(
            "Usage: splitbrain-server [/path/to/redis.conf] [options]\n"
            "       splitbrain-server --port 7777 --appendonly yes"
        )
        return 0
    try:
        config = parse_command_line(args)
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
    _setup_logging(config)
    pidfile = config.get_str("pidfile")
    if pidfile:
        Path(pidfile).write_text(f"{os.getpid()}\n")
    load_all()
    # Startup objects (command table, modules) never die: keep the cyclic GC off them, and
    # collect young objects less often (the per-request path allocates only short-lived,
    # acyclic objects).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    log.info("splitbrain-server (redis %s compatible) starting, pid=%d", VERSION, os.getpid())
    loop = _new_loop()
    try:
        return loop.run_until_complete(_serve(config))
    finally:
        loop.close()
        if pidfile:
            with contextlib.suppress(OSError):
                Path(pidfile).unlink()
