"""The server log in redis-server's format, and the start-up lines tools look for.

Lines are ``pid:R dd Mon yyyy hh:mm:ss.mmm M message`` with ``R`` the role (``C`` until
the server is initialised, then ``M``, or ``S`` on a replica) and ``M`` the level mark
(``.`` debug, ``-`` verbose, ``*`` notice, ``#`` warning). ``logfile`` (empty: stdout)
and ``syslog-enabled`` / ``-ident`` / ``-facility`` choose where they go; ``loglevel``
filters them (CONFIG SET loglevel takes effect at once).

:func:`log_banner` writes redis 7.0's start-up banner: with ``always-show-logo yes``, or
when logging to a terminal, a picture carrying ``Redis 7.0.15 (00000000/0) 64 bit``,
``Running in standalone mode``, ``Port: N`` and ``PID: N`` (redis's test framework waits
for `` PID: <pid>``); otherwise the one line ``Running mode=standalone, port=N.``
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Callable

from nodes.config import Config
from nodes.info import VERSION

log = logging.getLogger("splitbrain")

VERBOSE = 15
logging.addLevelName(VERBOSE, "VERBOSE")
LEVELS = {"debug": logging.DEBUG, "verbose": VERBOSE, "notice": logging.INFO, "warning": 30}
_MARKS = {logging.DEBUG: ".", VERBOSE: "-", logging.INFO: "*"}
_FACILITIES = {"user": logging.handlers.SysLogHandler.LOG_USER} | {
    f"local{i}": getattr(logging.handlers.SysLogHandler, f"LOG_LOCAL{i}") for i in range(8)
}
RAW = "raw"
"""``extra={RAW: True}`` logs the message without the line prefix (the banner)."""


class RedisFormatter(logging.Formatter):
    """``pid:M 22 Nov 2026 18:40:00.123 * message``, like redis-server's log lines."""

    def __init__(self) -> None:
        super().__init__()
        self.role: Callable[[], str] = lambda: "C"

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, RAW, False):
            return record.getMessage()
        stamp = self.formatTime(record, "%d %b %Y %H:%M:%S") + f".{int(record.msecs):03d}"
        mark = _MARKS.get(record.levelno, "#")
        line = f"{record.process}:{self.role()} {stamp} {mark} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _SyslogMessage(logging.Formatter):
    def __init__(self, ident: str) -> None:
        super().__init__()
        self.ident = ident

    def format(self, record: logging.LogRecord) -> str:
        return f"{self.ident}[{record.process}]: {record.getMessage()}"


def setup_logging(config: Config) -> RedisFormatter:
    """Route the root logger as the config says; returns the formatter (set its
    ``role`` once the server knows whether it is a replica)."""
    formatter = RedisFormatter()
    logfile = config.get_str("logfile")
    handler: logging.Handler = (
        logging.FileHandler(logfile) if logfile else logging.StreamHandler(sys.stdout)
    )
    handler.setFormatter(formatter)
    handlers = [handler]
    if config.get_bool("syslog-enabled"):
        try:
            syslog = logging.handlers.SysLogHandler(
                "/dev/log", _FACILITIES[config.get_str("syslog-facility")]
            )
        except OSError:
            pass
        else:
            syslog.setFormatter(_SyslogMessage(config.get_str("syslog-ident")))
            handlers.append(syslog)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(LEVELS[config.get_str("loglevel")])
    config.listeners.setdefault("loglevel", []).append(
        lambda level: logging.getLogger().setLevel(LEVELS[level])
    )
    return formatter


def log_starting(config: Config, with_options: bool) -> None:
    """The three lines redis prints before initialising the server."""
    log.warning("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    log.warning(
        "Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, just started",
        VERSION,
        os.getpid(),
    )
    if with_options:
        log.warning("Configuration loaded")
    else:
        log.warning(
            "Warning: no config file specified, using the default config. In order to "
            "specify a config file use %s /path/to/redis.conf",
            sys.argv[0],
        )


def _show_logo(config: Config) -> bool:
    if config.get_bool("always-show-logo"):
        return True
    to_terminal = not config.get_bool("syslog-enabled") and not config.get_str("logfile")
    return to_terminal and sys.stdout.isatty()


def log_banner(config: Config) -> None:
    """The banner (picture or one line) with the mode, the port and the pid."""
    mode = "cluster" if config.get_bool("cluster-enabled") else "standalone"
    port = config.get_int("port")
    if not _show_logo(config):
        log.info("Running mode=%s, port=%d.", mode, port)
        return
    right = [
        f"Redis {VERSION} (00000000/0) 64 bit",
        "",
        f"Running in {mode} mode",
        f"Port: {port}",
        f"PID: {os.getpid()}",
        "",
        "splitbrain-server, redis-compatible",
        "",
    ]
    left = [
        "        .--------+--------.",
        "       /  split  |  brain  \\",
        "      |   ~~~~   |   ~~~~   |",
        "      |  ~~~~~~  |  ~~~~~~  |",
        "      |   ~~~~   |   ~~~~   |",
        "       \\         |         /",
        "        '--------+--------'",
        "",
    ]
    picture = "\n".join(f"{a:<36}{b}".rstrip() for a, b in zip(left, right, strict=True))
    log.info("\n%s\n", picture, extra={RAW: True})
