"""Server configuration: redis-server's command line and config file syntax, typed options,
CONFIG GET/SET/REWRITE support.

Command line: ``[config-file] [--name value...]`` (``-`` reads the file from stdin);
an option's values run until the next ``--name``. Errors raise :class:`ConfigError` with
one line naming the option.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nodes.errors import ConfigError
from nodes.pattern import matches
from nodes.resp.parser import split_args

_UNITS = {
    b"": 1,
    b"b": 1,
    b"k": 1000,
    b"kb": 1024,
    b"m": 1000**2,
    b"mb": 1024**2,
    b"g": 1000**3,
    b"gb": 1024**3,
}


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    kind: str
    """``bool``, ``int``, ``memory``, ``str``, ``enum`` or ``words`` (free list)."""
    default: str
    mutable: bool = True
    choices: tuple[str, ...] = ()
    lo: int = -(2**63)
    hi: int = 2**63 - 1
    aliases: tuple[str, ...] = ()


def _o(name: str, kind: str, default: str, **kw: object) -> Option:
    return Option(name, kind, default, **kw)  # type: ignore[arg-type]


OPTIONS: tuple[Option, ...] = (
    _o("port", "int", "6379", mutable=False, lo=0, hi=65535),
    _o("bind", "words", "* -::*", mutable=False),
    _o("dir", "str", "."),
    _o("logfile", "str", "", mutable=False),
    _o("pidfile", "str", "", mutable=False),
    _o("daemonize", "bool", "no", mutable=False),
    _o("supervised", "enum", "no", mutable=False, choices=("upstart", "systemd", "auto", "no")),
    _o("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _o("databases", "int", "16", mutable=False, lo=1),
    _o("save", "words", "3600 1 300 100 60 10000"),
    _o("dbfilename", "str", "dump.rdb"),
    _o("appendonly", "bool", "no"),
    _o("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _o("appendfilename", "str", "appendonly.aof", mutable=False),
    _o("appenddirname", "str", "appendonlydir", mutable=False),
    _o("aof-load-truncated", "bool", "yes"),
    _o("requirepass", "str", ""),
    _o("masterauth", "str", ""),
    _o("masteruser", "str", ""),
    _o("protected-mode", "bool", "yes"),
    _o("timeout", "int", "0", lo=0, hi=2**31 - 1),
    _o("tcp-keepalive", "int", "300", lo=0),
    _o("tcp-backlog", "int", "511", mutable=False, lo=0),
    _o("hz", "int", "10", lo=0),
    _o("maxclients", "int", "10000", lo=1),
    _o("maxmemory", "memory", "0"),
    _o("proto-max-bulk-len", "memory", "536870912", lo=1024 * 1024),
    _o("client-query-buffer-limit", "memory", "1073741824", lo=1024 * 1024),
    _o(
        "client-output-buffer-limit",
        "words",
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    _o("enable-debug-command", "enum", "no", mutable=False, choices=("no", "yes", "local")),
    _o("always-show-logo", "bool", "no", mutable=False),
    _o("replicaof", "words", "", mutable=False, aliases=("slaveof",)),
    _o("replica-read-only", "bool", "yes", aliases=("slave-read-only",)),
    _o("replica-serve-stale-data", "bool", "yes", aliases=("slave-serve-stale-data",)),
    _o("repl-backlog-size", "memory", "1048576"),
    _o("repl-timeout", "int", "60", lo=1),
    _o("repl-ping-replica-period", "int", "10", lo=1, aliases=("repl-ping-slave-period",)),
    _o("min-replicas-to-write", "int", "0", lo=0, aliases=("min-slaves-to-write",)),
    _o("min-replicas-max-lag", "int", "10", lo=0, aliases=("min-slaves-max-lag",)),
    _o("repl-diskless-sync", "bool", "yes"),
    _o("replica-priority", "int", "100", lo=0, aliases=("slave-priority",)),
    _o("replica-announced", "bool", "yes"),
    _o("shutdown-timeout", "int", "10", lo=0),
    _o("cluster-enabled", "bool", "no", mutable=False),
    _o("cluster-config-file", "str", "nodes.conf", mutable=False),
    _o("cluster-node-timeout", "int", "15000", lo=0),
    _o(
        "cluster-replica-validity-factor",
        "int",
        "10",
        lo=0,
        aliases=("cluster-slave-validity-factor",),
    ),
    _o("cluster-migration-barrier", "int", "1", lo=0),
    _o("cluster-require-full-coverage", "bool", "yes"),
    _o("cluster-allow-reads-when-down", "bool", "no"),
    _o("cluster-allow-pubsubshard-when-down", "bool", "yes"),
    _o("cluster-allow-replica-migration", "bool", "yes"),
    _o("cluster-replica-no-failover", "bool", "no", aliases=("cluster-slave-no-failover",)),
    _o("cluster-port", "int", "0", mutable=False, lo=0, hi=65535),
    _o("cluster-announce-ip", "str", ""),
    _o("cluster-announce-port", "int", "0", lo=0, hi=65535),
    _o("cluster-announce-bus-port", "int", "0", lo=0, hi=65535),
    _o("cluster-announce-tls-port", "int", "0", lo=0, hi=65535),
    _o("cluster-announce-hostname", "str", ""),
    _o(
        "cluster-preferred-endpoint-type",
        "enum",
        "ip",
        choices=("ip", "hostname", "unknown-endpoint"),
    ),
    _o("cluster-link-sendbuf-limit", "memory", "0"),
    _o("busy-reply-threshold", "int", "5000", lo=0, aliases=("lua-time-limit",)),
)

BY_NAME: dict[str, Option] = {}
for _opt in OPTIONS:
    BY_NAME[_opt.name] = _opt
    for _alias in _opt.aliases:
        BY_NAME[_alias] = _opt


def parse_memory(text: str) -> int | None:
    raw = text.strip().lower().encode()
    digits = raw.rstrip(b"kmgb")
    unit = raw[len(digits) :]
    if unit not in _UNITS or not digits:
        return None
    try:
        return int(digits) * _UNITS[unit]
    except ValueError:
        return None


def normalize(opt: Option, values: Sequence[str]) -> str:
    """The canonical text of a value for ``opt``; raises ``ValueError`` with redis's
    reason text."""
    if opt.kind == "words":
        text = " ".join(values)
        if opt.name == "save" and text.strip():
            parts = text.split()
            if len(parts) % 2 or not all(p.isdigit() for p in parts):
                raise ValueError("Invalid save parameters")
        if opt.name == "client-output-buffer-limit" and text.strip():
            parts = text.split()
            if len(parts) % 4:
                raise ValueError("Wrong number of arguments in buffer limit configuration.")
            for i in range(0, len(parts), 4):
                if parts[i] not in ("normal", "replica", "slave", "pubsub"):
                    raise ValueError(
                        "Invalid client class specified in buffer limit configuration."
                    )
                if (
                    any(parse_memory(p) is None for p in parts[i + 1 : i + 3])
                    or not parts[i + 3].isdigit()
                ):
                    raise ValueError(
                        "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                    )
        return text
    if len(values) != 1:
        raise ValueError("wrong number of arguments")
    value = values[0]
    if opt.kind == "bool":
        low = value.lower()
        if low not in ("yes", "no"):
            raise ValueError("argument must be 'yes' or 'no'")
        return low
    if opt.kind == "enum":
        low = value.lower()
        if low not in opt.choices:
            raise ValueError("argument(s) must be one of the following: " + ", ".join(opt.choices))
        return low
    if opt.kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise ValueError("argument couldn't be parsed into an integer") from None
        if not opt.lo <= number <= opt.hi:
            raise ValueError(f"argument must be between {opt.lo} and {opt.hi} inclusive")
        return str(number)
    if opt.kind == "memory":
        parsed = parse_memory(value)
        if parsed is None:
            raise ValueError("argument must be a memory value")
        if parsed < opt.lo and parsed != 0 and opt.name != "maxmemory":
            raise ValueError(f"argument must be between {opt.lo} and {opt.hi} inclusive")
        return str(parsed)
    return value


class Config:
    """Current option values (canonical strings) plus typed getters."""

    def __init__(self, config_file: Path | None = None) -> None:
        self.values: dict[str, str] = {o.name: o.default for o in OPTIONS}
        self.config_file = config_file
        self.listeners: dict[str, list[Callable[[str], None]]] = {}
        """Option name -> callbacks run after CONFIG SET changed it."""

    # ---- typed getters -------------------------------------------------------------
    def get_str(self, name: str) -> str:
        return self.values[name]

    def get_int(self, name: str) -> int:
        return int(self.values[name])

    def get_bool(self, name: str) -> bool:
        return self.values[name] == "yes"

    def output_limit(self, klass: str = "normal") -> tuple[int, int, int]:
        """(hard bytes, soft bytes, soft seconds) of a client class; 0 means none."""
        parts = self.values["client-output-buffer-limit"].split()
        for i in range(0, len(parts), 4):
            name = "slave" if parts[i] == "replica" else parts[i]
            if name == klass:
                hard = parse_memory(parts[i + 1]) or 0
                soft = parse_memory(parts[i + 2]) or 0
                return hard, soft, int(parts[i + 3])
        return 0, 0, 0

    # ---- setting -------------------------------------------------------------------
    def apply(self, name: str, values: Sequence[str], where: str) -> None:
        """Set an option from the command line or file; :class:`ConfigError` if bad."""
        opt = BY_NAME.get(name.lower())
        if opt is None:
            raise ConfigError(
                f"{where}: unknown option '{name}' (Bad directive or wrong number of arguments)"
            )
        try:
            text = normalize(opt, values)
        except ValueError as exc:
            shown = " ".join(values)
            raise ConfigError(f"{where}: option '{name}' value '{shown}': {exc}") from None
        if opt.name == "daemonize" and text == "yes":
            raise ConfigError(f"{where}: option 'daemonize': only 'no' is supported")
        if opt.name == "client-output-buffer-limit" and text:
            text = self._merge_limits(text)
        self.values[opt.name] = text

    def _merge_limits(self, text: str) -> str:
        current = self.values["client-output-buffer-limit"].split()
        classes = {current[i]: current[i + 1 : i + 4] for i in range(0, len(current), 4)}
        parts = text.split()
        for i in range(0, len(parts), 4):
            name = "slave" if parts[i] == "replica" else parts[i]
            classes[name] = [str(parse_memory(parts[i + 1])), str(parse_memory(parts[i + 2]))]
            classes[name].append(parts[i + 3])
        return " ".join(f"{k} {' '.join(v)}" for k, v in classes.items())

    def set_runtime(self, name: str, value: str) -> str | None:
        """CONFIG SET one option; returns redis's failure reason or ``None``."""
        opt = BY_NAME.get(name.lower())
        if opt is None:
            return "unknown"
        if not opt.mutable:
            return "can't set immutable config"
        values = value.split() if opt.kind == "words" else [value]
        try:
            text = normalize(opt, values)
        except ValueError as exc:
            return str(exc)
        if opt.name == "client-output-buffer-limit" and text:
            text = self._merge_limits(text)
        old = self.values[opt.name]
        self.values[opt.name] = text
        for callback in self.listeners.get(opt.name, []):
            try:
                callback(text)
            except OSError as exc:
                self.values[opt.name] = old
                return exc.strerror or str(exc)
        return None

    def matching(self, pattern: bytes) -> dict[bytes, bytes]:
        """CONFIG GET: option (and alias) names matching ``pattern`` -> values."""
        out: dict[bytes, bytes] = {}
        for opt in OPTIONS:
            for name in (opt.name, *opt.aliases):
                if matches(pattern.lower(), name.encode()):
                    out[name.encode()] = self.values[opt.name].encode()
        return out

    # ---- rewrite -------------------------------------------------------------------
    def rewrite(self) -> None:
        """CONFIG REWRITE: update the config file in place (atomically)."""
        if self.config_file is None:
            raise OSError("The server is running without a config file")
        try:
            lines = self.config_file.read_text().splitlines()
        except FileNotFoundError:
            lines = []
        seen: set[str] = set()
        out: list[str] = []
        for line in lines:
            args = (
                split_args(line.encode())
                if line.strip() and not line.lstrip().startswith("#")
                else None
            )
            if not args:
                out.append(line)
                continue
            opt = BY_NAME.get(args[0].decode(errors="replace").lower())
            if opt is None or opt.name in seen:
                if opt is None:
                    out.append(line)
                continue
            seen.add(opt.name)
            out.append(self._line(opt))
        for opt in OPTIONS:
            if opt.name not in seen and self.values[opt.name] != opt.default:
                out.append(self._line(opt))
        tmp = self.config_file.with_name(self.config_file.name + ".tmp")
        tmp.write_text("\n".join(out) + "\n")
        os.replace(tmp, self.config_file)

    def _line(self, opt: Option) -> str:
        value = self.values[opt.name]
        if opt.kind == "words":
            return f"{opt.name} {value}" if value else f'{opt.name} ""'
        if value == "" or any(c.isspace() for c in value):
            return f'{opt.name} "{value}"'
        return f"{opt.name} {value}"


def parse_command_line(argv: Sequence[str], stdin_text: str | None = None) -> Config:
    """A :class:`Config` from redis-server style arguments."""
    args = list(argv)
    config_file: Path | None = None
    file_text = ""
    if args and not args[0].startswith("--"):
        first = args.pop(0)
        if first == "-":
            file_text = stdin_text if stdin_text is not None else sys.stdin.read()
        else:
            config_file = Path(first).resolve()
            try:
                file_text = config_file.read_text()
            except OSError as exc:
                raise ConfigError(
                    f"Fatal error, can't open config file '{first}': {exc.strerror}"
                ) from None
    config = Config(config_file)
    for number, line in enumerate(file_text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = split_args(stripped.encode())
        if words is None:
            raise ConfigError(f"config file line {number}: unbalanced quotes in '{stripped}'")
        texts = [w.decode(errors="replace") for w in words]
        config.apply(texts[0], texts[1:], f"config file line {number}")
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) == 2:
            raise ConfigError(
                f"command line: unexpected argument '{arg}' (options are --name value)"
            )
        name = arg[2:]
        i += 1
        values: list[str] = []
        while i < len(args) and not (args[i].startswith("--") and len(args[i]) > 2):
            values.append(args[i])
            i += 1
        config.apply(name, values, "command line")
    return config
