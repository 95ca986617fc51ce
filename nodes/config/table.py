"""The option table: every option redis-server 7.0 knows, declared once.

One :class:`Option` per option (aliases on the same line). ``kind`` decides how a value
is parsed, shown by CONFIG GET and written by CONFIG REWRITE (``nodes.config.values``,
``nodes.config.rewrite``):

``bool``      yes/no.
``int``       a signed integer (redis's strict ``string2ll``), ``lo``..``hi``.
``uint``      an integer range-checked as unsigned (a negative value wraps, as in C).
``memory``    a byte count with an optional unit (``1gb``, ``100mb``, ``5k``), signed range.
``umemory``   the same, range-checked as unsigned.
``percent``   a memory value or ``N%`` (stored as ``-N``; CONFIG GET shows ``N%``).
``octal``     an octal integer (``unixsocketperm``).
``enum``      one of ``choices`` (case-insensitive); ``synonyms`` map a name to another
              choice that has the same meaning (CONFIG GET shows the first of them).
``flags``     several of ``choices`` at once (``shutdown-on-sigterm nosave now``);
              the first choice is the empty set.
``string``    free text (``null-empty``: the empty string means "unset": CONFIG REWRITE
              drops the line).
``special``   parsed by a function of its own (``save``, ``bind``, ``dir``...).

``flags`` (space-separated words): ``immutable`` (CONFIG SET refuses it), ``protected``
(CONFIG SET needs ``enable-protected-configs``), ``hidden`` (CONFIG GET patterns skip it;
the exact name still answers), ``debug``, ``sensitive``, ``deny-loading`` and
``multi-arg`` as in redis's table, ``ours``: an option of splitbrain-server's own
(``splitbrain-*``, not in redis; always ``hidden`` too), and ``inert``: accepted and
shown, but nothing in splitbrain-server reads it (docs/nodes.md lists these with what
each changes in redis).
"""

from __future__ import annotations

from dataclasses import dataclass

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
UINT_MAX = 2**32 - 1
LONG_MAX = 2**63 - 1
ULLONG_MAX = 2**64 - 1

YES_NO_LOCAL = ("no", "yes", "local")


@dataclass(frozen=True, slots=True)
class Option:
    """One option: its name, how its value is typed, its default (in CONFIG GET form)."""

    name: str
    kind: str
    default: str
    flags: frozenset[str] = frozenset()
    lo: int = 0
    hi: int = 0
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()

    @property
    def mutable(self) -> bool:
        return "immutable" not in self.flags

    @property
    def inert(self) -> bool:
        return "inert" in self.flags


def _o(
    name: str,
    kind: str,
    default: str,
    flags: str = "",
    *,
    alias: str = "",
    lo: int = 0,
    hi: int = 0,
    choices: tuple[str, ...] = (),
    synonyms: tuple[tuple[str, str], ...] = (),
) -> Option:
    return Option(
        name,
        kind,
        default,
        frozenset(flags.split()),
        lo,
        hi,
        choices,
        (alias,) if alias else (),
        synonyms,
    )


OPTIONS: tuple[Option, ...] = (
    # ---- listening, process, logging -----------------------------------------------
    _o("port", "int", "6379", lo=0, hi=65535),
    _o("bind", "special", "* -::*", "multi-arg"),
    _o("bind-source-addr", "string", "", "null-empty inert"),
    _o("unixsocket", "string", "", "immutable null-empty"),
    _o("unixsocketperm", "octal", "0", "immutable", lo=0, hi=0o777),
    _o("socket-mark-id", "uint", "0", "immutable inert", lo=0, hi=UINT_MAX),
    _o("tcp-backlog", "int", "511", "immutable", lo=0, hi=INT_MAX),
    _o("tcp-keepalive", "int", "300", "inert", lo=0, hi=INT_MAX),
    _o("timeout", "int", "0", lo=0, hi=INT_MAX),
    _o("protected-mode", "bool", "yes", "inert"),
    _o("maxclients", "uint", "10000", lo=1, hi=UINT_MAX),
    _o("dir", "special", ".", "protected deny-loading"),
    _o("daemonize", "bool", "no", "immutable"),
    _o("supervised", "enum", "no", "immutable", choices=("upstart", "systemd", "auto", "no")),
    _o("pidfile", "string", "", "immutable null-empty"),
    _o("logfile", "string", "", "immutable"),
    _o("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _o("syslog-enabled", "bool", "no", "immutable"),
    _o("syslog-ident", "string", "redis", "immutable"),
    _o(
        "syslog-facility",
        "enum",
        "local0",
        "immutable",
        choices=("user", *(f"local{i}" for i in range(8))),
    ),
    _o("always-show-logo", "bool", "no", "immutable"),
    _o("set-proc-title", "bool", "yes", "immutable inert"),
    _o("proc-title-template", "string", "{title} {listen-addr} {server-mode}", "inert"),
    _o("databases", "int", "16", "immutable", lo=1, hi=INT_MAX),
    _o("hz", "int", "10", lo=0, hi=INT_MAX),
    _o("dynamic-hz", "bool", "yes", "inert"),
    _o("io-threads", "int", "1", "debug immutable inert", lo=1, hi=128),
    _o("io-threads-do-reads", "bool", "no", "debug immutable inert"),
    _o("server_cpulist", "string", "", "immutable null-empty inert"),
    _o("bio_cpulist", "string", "", "immutable null-empty inert"),
    _o("aof_rewrite_cpulist", "string", "", "immutable null-empty inert"),
    _o("bgsave_cpulist", "string", "", "immutable null-empty inert"),
    _o(
        "oom-score-adj",
        "enum",
        "no",
        "inert",
        choices=("no", "yes", "relative", "absolute"),
        synonyms=(("relative", "yes"),),
    ),
    _o("oom-score-adj-values", "special", "0 200 800", "multi-arg inert"),
    _o("disable-thp", "bool", "yes", "immutable inert"),
    _o("jemalloc-bg-thread", "bool", "yes", "inert"),
    _o("crash-log-enabled", "bool", "yes", "inert"),
    _o("crash-memcheck-enabled", "bool", "yes", "inert"),
    _o("use-exit-on-panic", "bool", "no", "hidden inert"),
    _o("ignore-warnings", "string", "", "inert"),
    _o("shutdown-timeout", "int", "10", lo=0, hi=INT_MAX),
    _o(
        "shutdown-on-sigint",
        "flags",
        "default",
        "multi-arg",
        choices=("default", "save", "nosave", "now", "force"),
    ),
    _o(
        "shutdown-on-sigterm",
        "flags",
        "default",
        "multi-arg",
        choices=("default", "save", "nosave", "now", "force"),
    ),
    # ---- security --------------------------------------------------------------------
    _o("requirepass", "string", "", "sensitive null-empty"),
    _o("aclfile", "string", "", "immutable"),
    _o("acllog-max-len", "int", "128", "", lo=0, hi=LONG_MAX),
    _o(
        "acl-pubsub-default",
        "enum",
        "resetchannels",
        "",
        choices=("allchannels", "resetchannels"),
    ),
    _o("enable-protected-configs", "enum", "no", "immutable", choices=YES_NO_LOCAL),
    _o("enable-debug-command", "enum", "no", "immutable", choices=YES_NO_LOCAL),
    _o("enable-module-command", "enum", "no", "immutable inert", choices=YES_NO_LOCAL),
    _o("sanitize-dump-payload", "enum", "no", "debug inert", choices=("no", "yes", "clients")),
    # ---- memory ----------------------------------------------------------------------
    _o("maxmemory", "umemory", "0", "inert", lo=0, hi=ULLONG_MAX),
    _o(
        "maxmemory-policy",
        "enum",
        "noeviction",
        "inert",
        choices=(
            *("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"),
            *("allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
        ),
    ),
    _o("maxmemory-samples", "int", "5", "inert", lo=1, hi=INT_MAX),
    _o("maxmemory-eviction-tenacity", "int", "10", "inert", lo=0, hi=100),
    _o("maxmemory-clients", "percent", "0", "inert", lo=-100, hi=LONG_MAX),
    _o("lfu-log-factor", "int", "10", "inert", lo=0, hi=INT_MAX),
    _o("lfu-decay-time", "int", "1", "inert", lo=0, hi=INT_MAX),
    _o("replica-ignore-maxmemory", "bool", "yes", "inert", alias="slave-ignore-maxmemory"),
    _o("active-expire-effort", "int", "1", "inert", lo=1, hi=10),
    _o("lazyfree-lazy-eviction", "bool", "no", "debug inert"),
    _o("lazyfree-lazy-expire", "bool", "no", "debug inert"),
    _o("lazyfree-lazy-server-del", "bool", "no", "debug inert"),
    _o("lazyfree-lazy-user-del", "bool", "no", "debug inert"),
    _o("lazyfree-lazy-user-flush", "bool", "no", "debug inert"),
    _o("replica-lazy-flush", "bool", "no", "inert", alias="slave-lazy-flush"),
    _o("activerehashing", "bool", "yes", "inert"),
    _o("activedefrag", "bool", "no", "debug inert"),
    _o("active-defrag-ignore-bytes", "umemory", "104857600", "inert", lo=1, hi=LONG_MAX),
    _o("active-defrag-threshold-lower", "int", "10", "inert", lo=0, hi=1000),
    _o("active-defrag-threshold-upper", "int", "100", "inert", lo=0, hi=1000),
    _o("active-defrag-cycle-min", "int", "1", "inert", lo=1, hi=99),
    _o("active-defrag-cycle-max", "int", "25", "inert", lo=1, hi=99),
    _o("active-defrag-max-scan-fields", "int", "1000", "inert", lo=1, hi=LONG_MAX),
    # ---- client limits -----------------------------------------------------------------
    _o("proto-max-bulk-len", "memory", "536870912", "debug", lo=1024 * 1024, hi=LONG_MAX),
    _o(
        "client-query-buffer-limit",
        "umemory",
        "1073741824",
        "debug",
        lo=1024 * 1024,
        hi=LONG_MAX,
    ),
    _o(
        "client-output-buffer-limit",
        "special",
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        "multi-arg",
    ),
    _o("tracking-table-max-keys", "uint", "1000000", "inert", lo=0, hi=LONG_MAX),
    _o("busy-reply-threshold", "int", "5000", "inert", alias="lua-time-limit", lo=0, hi=LONG_MAX),
    # ---- persistence -------------------------------------------------------------------
    _o("save", "special", "3600 1 300 100 60 10000", "multi-arg"),
    _o("dbfilename", "string", "dump.rdb", "protected"),
    _o("rdbcompression", "bool", "yes", "inert"),
    _o("rdbchecksum", "bool", "yes", "immutable inert"),
    _o("rdb-del-sync-files", "bool", "no", "inert"),
    _o("rdb-save-incremental-fsync", "bool", "yes", "inert"),
    _o("stop-writes-on-bgsave-error", "bool", "yes", "inert"),
    _o("rdb-key-save-delay", "int", "0", "hidden", lo=INT_MIN, hi=INT_MAX),
    _o("key-load-delay", "int", "0", "hidden", lo=INT_MIN, hi=INT_MAX),
    _o(
        "loading-process-events-interval-bytes",
        "int",
        "2097152",
        "hidden inert",
        lo=1024,
        hi=INT_MAX,
    ),
    _o("appendonly", "bool", "no", "deny-loading"),
    _o("appendfilename", "string", "appendonly.aof", "immutable"),
    _o("appenddirname", "string", "appendonlydir", "immutable"),
    _o("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _o("no-appendfsync-on-rewrite", "bool", "no", "inert"),
    _o("auto-aof-rewrite-percentage", "int", "100", "inert", lo=0, hi=INT_MAX),
    _o("auto-aof-rewrite-min-size", "memory", "67108864", "inert", lo=0, hi=LONG_MAX),
    _o("aof-load-truncated", "bool", "yes"),
    _o("aof-use-rdb-preamble", "bool", "yes"),
    _o("aof-timestamp-enabled", "bool", "no", "inert"),
    _o("aof-rewrite-incremental-fsync", "bool", "yes", "inert"),
    _o("aof-disable-auto-gc", "bool", "no", "inert"),
    # ours (splitbrain-server only; hidden so CONFIG GET * lists redis's options alone)
    _o("splitbrain-fsync-ledger", "bool", "no", "immutable hidden ours"),
    # ---- replication -------------------------------------------------------------------
    _o("replicaof", "special", "", "immutable multi-arg", alias="slaveof"),
    _o("masterauth", "string", "", "sensitive null-empty"),
    _o("masteruser", "string", "", "sensitive null-empty inert"),
    _o("replica-serve-stale-data", "bool", "yes", "", alias="slave-serve-stale-data"),
    _o("replica-read-only", "bool", "yes", "debug", alias="slave-read-only"),
    _o("replica-priority", "int", "100", alias="slave-priority", lo=0, hi=INT_MAX),
    _o("replica-announced", "bool", "yes"),
    _o("replica-announce-ip", "string", "", "null-empty inert", alias="slave-announce-ip"),
    _o("replica-announce-port", "int", "0", "inert", alias="slave-announce-port", lo=0, hi=65535),
    _o("replica-ignore-disk-write-errors", "bool", "no", "inert"),
    _o("repl-diskless-sync", "bool", "yes", "debug"),
    _o("repl-diskless-sync-delay", "int", "5", "inert", lo=0, hi=INT_MAX),
    _o("repl-diskless-sync-max-replicas", "int", "0", "inert", lo=0, hi=INT_MAX),
    _o(
        "repl-diskless-load",
        "enum",
        "disabled",
        "debug deny-loading",
        choices=("disabled", "on-empty-db", "swapdb"),
    ),
    _o("repl-disable-tcp-nodelay", "bool", "no", "inert"),
    _o("repl-backlog-size", "memory", "1048576", lo=1, hi=LONG_MAX),
    _o("repl-backlog-ttl", "int", "3600", "inert", lo=0, hi=LONG_MAX),
    _o("repl-timeout", "int", "60", lo=1, hi=INT_MAX),
    _o("repl-ping-replica-period", "int", "10", alias="repl-ping-slave-period", lo=1, hi=INT_MAX),
    _o("min-replicas-to-write", "int", "0", alias="min-slaves-to-write", lo=0, hi=INT_MAX),
    _o("min-replicas-max-lag", "int", "10", alias="min-slaves-max-lag", lo=0, hi=INT_MAX),
    _o(
        "propagation-error-behavior",
        "enum",
        "ignore",
        "inert",
        choices=("ignore", "panic", "panic-on-replicas"),
    ),
    # ---- cluster -----------------------------------------------------------------------
    _o("cluster-enabled", "bool", "no", "immutable"),
    _o("cluster-config-file", "string", "nodes.conf", "immutable"),
    _o("cluster-node-timeout", "int", "15000", lo=0, hi=LONG_MAX),
    _o("cluster-port", "int", "0", "immutable", lo=0, hi=65535),
    _o(
        "cluster-replica-validity-factor",
        "int",
        "10",
        alias="cluster-slave-validity-factor",
        lo=0,
        hi=INT_MAX,
    ),
    _o("cluster-migration-barrier", "int", "1", lo=0, hi=INT_MAX),
    _o("cluster-require-full-coverage", "bool", "yes"),
    _o("cluster-allow-reads-when-down", "bool", "no"),
    _o("cluster-allow-pubsubshard-when-down", "bool", "yes"),
    _o("cluster-allow-replica-migration", "bool", "yes"),
    _o("cluster-replica-no-failover", "bool", "no", alias="cluster-slave-no-failover"),
    _o("cluster-announce-ip", "string", "", "null-empty"),
    _o("cluster-announce-hostname", "string", "", "null-empty"),
    _o("cluster-announce-port", "int", "0", lo=0, hi=65535),
    _o("cluster-announce-bus-port", "int", "0", lo=0, hi=65535),
    _o("cluster-announce-tls-port", "int", "0", "inert", lo=0, hi=65535),
    _o(
        "cluster-preferred-endpoint-type",
        "enum",
        "ip",
        choices=("ip", "hostname", "unknown-endpoint"),
    ),
    _o("cluster-link-sendbuf-limit", "umemory", "0", lo=0, hi=ULLONG_MAX),
    # ---- data structures ---------------------------------------------------------------
    _o(
        "hash-max-listpack-entries",
        "uint",
        "512",
        "",
        alias="hash-max-ziplist-entries",
        lo=0,
        hi=LONG_MAX,
    ),
    _o(
        "hash-max-listpack-value",
        "umemory",
        "64",
        "",
        alias="hash-max-ziplist-value",
        lo=0,
        hi=LONG_MAX,
    ),
    _o(
        "list-max-listpack-size",
        "int",
        "-2",
        "inert",
        alias="list-max-ziplist-size",
        lo=INT_MIN,
        hi=INT_MAX,
    ),
    _o("list-compress-depth", "int", "0", "debug inert", lo=0, hi=INT_MAX),
    _o("set-max-intset-entries", "uint", "512", lo=0, hi=LONG_MAX),
    _o(
        "zset-max-listpack-entries",
        "uint",
        "128",
        "",
        alias="zset-max-ziplist-entries",
        lo=0,
        hi=LONG_MAX,
    ),
    _o(
        "zset-max-listpack-value",
        "umemory",
        "64",
        "",
        alias="zset-max-ziplist-value",
        lo=0,
        hi=LONG_MAX,
    ),
    _o("hll-sparse-max-bytes", "umemory", "3000", "inert", lo=0, hi=LONG_MAX),
    _o("stream-node-max-bytes", "umemory", "4096", "", lo=0, hi=LONG_MAX),
    _o("stream-node-max-entries", "int", "100", "", lo=0, hi=LONG_MAX),
    # ---- events, diagnostics -----------------------------------------------------------
    _o("notify-keyspace-events", "special", "", "inert"),
    _o("slowlog-log-slower-than", "int", "10000", "", lo=-1, hi=LONG_MAX),
    _o("slowlog-max-len", "int", "128", "", lo=0, hi=LONG_MAX),
    _o("latency-monitor-threshold", "int", "0", "", lo=0, hi=LONG_MAX),
    _o("latency-tracking", "bool", "yes"),
    _o("latency-tracking-info-percentiles", "special", "50 99 99.9", "multi-arg inert"),
    _o("watchdog-period", "int", "0", "hidden inert", lo=0, hi=INT_MAX),
    # ---- TLS (redis built with OpenSSL; splitbrain-server has no TLS) -------------------
    _o("tls-port", "int", "0", "inert", lo=0, hi=65535),
    _o("tls-cluster", "bool", "no", "inert"),
    _o("tls-replication", "bool", "no", "inert"),
    _o("tls-auth-clients", "enum", "yes", "inert", choices=("no", "yes", "optional")),
    _o("tls-prefer-server-ciphers", "bool", "no", "inert"),
    _o("tls-session-caching", "bool", "yes", "inert"),
    _o("tls-session-cache-size", "int", "20480", "inert", lo=0, hi=INT_MAX),
    _o("tls-session-cache-timeout", "int", "300", "inert", lo=0, hi=INT_MAX),
    _o("tls-cert-file", "string", "", "null-empty inert"),
    _o("tls-key-file", "string", "", "null-empty inert"),
    _o("tls-key-file-pass", "string", "", "null-empty inert"),
    _o("tls-client-cert-file", "string", "", "null-empty inert"),
    _o("tls-client-key-file", "string", "", "null-empty inert"),
    _o("tls-client-key-file-pass", "string", "", "null-empty inert"),
    _o("tls-dh-params-file", "string", "", "null-empty inert"),
    _o("tls-ca-cert-file", "string", "", "null-empty inert"),
    _o("tls-ca-cert-dir", "string", "", "null-empty inert"),
    _o("tls-protocols", "string", "", "null-empty inert"),
    _o("tls-ciphers", "string", "", "null-empty inert"),
    _o("tls-ciphersuites", "string", "", "null-empty inert"),
)

BY_NAME: dict[str, Option] = {}
for _opt in OPTIONS:
    for _name in (_opt.name, *_opt.aliases):
        if _name in BY_NAME:
            raise AssertionError(f"option {_name} declared twice")
        BY_NAME[_name] = _opt

DEPRECATED = {"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}
"""Names redis 7.0 still accepts (with exactly one value) in a config file and ignores."""
