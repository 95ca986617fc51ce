"""The INFO sections: the default ones (server, clients, memory, persistence, stats,
replication, cpu, modules, errorstats, cluster, keyspace) and commandstats and
latencystats, given when named or with ``all``. Each provider returns ``(field, value)`` pairs."""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.scripting.engine import existing_engine

if TYPE_CHECKING:
    from nodes.server import Server

Section = list[tuple[str, object]]

TITLES = {
    "server": "Server",
    "clients": "Clients",
    "memory": "Memory",
    "persistence": "Persistence",
    "stats": "Stats",
    "replication": "Replication",
    "cpu": "CPU",
    "modules": "Modules",
    "commandstats": "Commandstats",
    "errorstats": "Errorstats",
    "latencystats": "Latencystats",
    "cluster": "Cluster",
    "keyspace": "Keyspace",
}
EXTRA_SECTIONS = ("commandstats", "latencystats")
"""Sections INFO gives only when named or with ``all`` / ``everything``."""
DEFAULT_SECTIONS = tuple(name for name in TITLES if name not in EXTRA_SECTIONS)
VERSION = "7.0.15"
"""The redis-server version we answer like."""


_KBPS = ("input", "output", "input_repl", "output_repl")
"""INFO stats' instantaneous_*_kbps, not measured here (0.00)."""

_UNTRACKED_EXPIRY_EVICTION = (
    "expired_time_cap_reached_count",
    "expire_cycle_cpu_milliseconds",
    "evicted_keys",
    "evicted_clients",
    "total_eviction_exceeded_time",
    "current_eviction_exceeded_time",
)
_UNTRACKED_AFTER_PUBSUB = (
    "latest_fork_usec",
    "total_forks",
    "migrate_cached_sockets",
    "slave_expires_tracked_keys",
    "active_defrag_hits",
    "active_defrag_misses",
    "active_defrag_key_hits",
    "active_defrag_key_misses",
    "total_active_defrag_time",
    "current_active_defrag_time",
)
_UNTRACKED_BEFORE_ERRORS = ("unexpected_error_replies",)
_UNTRACKED_AFTER_ERRORS = (
    "dump_payload_sanitizations",
    "total_reads_processed",
    "total_writes_processed",
    "io_threaded_reads_processed",
    "io_threaded_writes_processed",
    "reply_buffer_shrinks",
    "reply_buffer_expands",
)
"""INFO stats fields redis 7.0 prints that this server does not count: always 0, in
redis's order, so tools that read them (redis's own tests) find them."""


_LRU_CLOCK_MAX = (1 << 24) - 1
"""redis's LRU clock: seconds, 24 bits."""

_LUA_VM_BYTES = 31744
"""What redis reports for an idle Lua interpreter (INFO memory's used_memory_vm_*)."""

_RDB_FIELDS = (
    "rdb_changes_since_last_save",
    "rdb_bgsave_in_progress",
    "rdb_last_save_time",
    "rdb_last_bgsave_status",
    "rdb_saves",
)


def human_bytes(n: int) -> str:
    """redis's ``bytesToHuman``: ``512B``, ``1.50K``, ``2.00M``, ... ``P``."""
    if n < 1024:
        return f"{n}B"
    value = float(n)
    for unit in "KMGTP":
        value /= 1024
        if value < 1024 or unit == "P":
            return f"{value:.2f}{unit}"
    raise AssertionError("unreachable")


def _script_counts(server: Server) -> tuple[int, int, int]:
    """(cached scripts, functions, libraries); zeros before the first script."""
    engine = existing_engine(server)
    if engine is None:
        return 0, 0, 0
    store = engine.functions
    return len(engine.scripts), len(store.functions), len(store.libraries)


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def default_providers(server: Server) -> dict[str, Callable[[], Section]]:
    def server_section() -> Section:
        uptime_ms = server.clock_ms() - server.start_ms
        return [
            ("redis_version", VERSION),
            ("redis_git_sha1", "00000000"),
            ("redis_git_dirty", 0),
            ("redis_build_id", "splitbrain"),
            ("redis_mode", "cluster" if server.cluster_enabled else "standalone"),
            ("os", f"{os.uname().sysname} {os.uname().release} {os.uname().machine}"),
            ("arch_bits", 64),
            ("monotonic_clock", "POSIX clock_gettime"),
            ("multiplexing_api", "epoll"),
            ("atomicvar_api", "c11-builtin"),
            ("gcc_version", "0.0.0"),
            ("process_id", os.getpid()),
            ("process_supervised", "no"),
            ("run_id", server.run_id),
            ("tcp_port", server.config.get_int("port")),
            ("server_time_usec", server.clock_ms() * 1000),
            ("uptime_in_seconds", uptime_ms // 1000),
            ("uptime_in_days", uptime_ms // 86_400_000),
            ("hz", server.config.get_int("hz")),
            ("configured_hz", server.config.get_int("hz")),
            ("lru_clock", (server.clock_ms() // 1000) & _LRU_CLOCK_MAX),
            ("executable", sys.executable),
            ("config_file", str(server.config.config_file or "")),
            ("io_threads_active", 0),
        ]

    def tracking_stats() -> Section:
        tracking = server.tracking
        table = tracking.table if tracking is not None else {}
        return [
            ("tracking_total_keys", len(table)),
            ("tracking_total_items", sum(len(ids) for ids in table.values())),
            ("tracking_total_prefixes", len(tracking.prefixes) if tracking is not None else 0),
        ]

    def clients_section() -> Section:
        return [
            ("connected_clients", len(server.clients)),
            ("cluster_connections", 0),
            ("maxclients", server.config.get_int("maxclients")),
            ("client_recent_max_input_buffer", 0),
            ("client_recent_max_output_buffer", 0),
            ("blocked_clients", sum(1 for c in server.connections.values() if c.blocked)),
            ("tracking_clients", len(server.tracking.modes) if server.tracking else 0),
            ("clients_in_timeout_table", server.blocking.timed_count()),
        ]

    def memory_section() -> Section:
        rss = _rss_bytes()
        maxmemory = server.config.get_int("maxmemory")
        system = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        scripts, functions, libraries = _script_counts(server)
        repl = server.replication
        backlog = repl.backlog if repl is not None else None
        return [
            ("used_memory", rss),
            ("used_memory_human", human_bytes(rss)),
            ("used_memory_rss", rss),
            ("used_memory_rss_human", human_bytes(rss)),
            ("used_memory_peak", rss),
            ("used_memory_peak_human", human_bytes(rss)),
            ("used_memory_peak_perc", "100.00%"),
            ("used_memory_overhead", 0),
            ("used_memory_startup", 0),
            ("used_memory_dataset", rss),
            ("used_memory_dataset_perc", "100.00%"),
            ("allocator_allocated", rss),
            ("allocator_active", rss),
            ("allocator_resident", rss),
            ("total_system_memory", system),
            ("total_system_memory_human", human_bytes(system)),
            ("used_memory_lua", _LUA_VM_BYTES),
            ("used_memory_vm_eval", _LUA_VM_BYTES),
            ("used_memory_lua_human", human_bytes(_LUA_VM_BYTES)),
            ("used_memory_scripts_eval", 0),
            ("number_of_cached_scripts", scripts),
            ("number_of_functions", functions),
            ("number_of_libraries", libraries),
            ("used_memory_vm_functions", _LUA_VM_BYTES),
            ("used_memory_vm_total", 2 * _LUA_VM_BYTES),
            ("used_memory_vm_total_human", human_bytes(2 * _LUA_VM_BYTES)),
            ("used_memory_functions", 0),
            ("used_memory_scripts", 0),
            ("used_memory_scripts_human", human_bytes(0)),
            ("maxmemory", maxmemory),
            ("maxmemory_human", human_bytes(maxmemory)),
            ("maxmemory_policy", server.config.get_str("maxmemory-policy")),
            ("allocator_frag_ratio", "1.00"),
            ("allocator_frag_bytes", 0),
            ("allocator_rss_ratio", "1.00"),
            ("allocator_rss_bytes", 0),
            ("rss_overhead_ratio", "1.00"),
            ("rss_overhead_bytes", 0),
            ("mem_fragmentation_ratio", "1.00"),
            ("mem_fragmentation_bytes", 0),
            ("mem_not_counted_for_evict", 0),
            ("mem_replication_backlog", backlog.size if backlog is not None else 0),
            ("mem_total_replication_buffers", 0),
            ("mem_clients_slaves", 0),
            ("mem_clients_normal", 0),
            ("mem_cluster_links", 0),
            ("mem_aof_buffer", 0),
            ("mem_allocator", "libc"),
            ("active_defrag_running", 0),
            ("lazyfree_pending_objects", 0),
            ("lazyfreed_objects", 0),
        ]

    def persistence_section() -> Section:
        aof = server.aof
        rdb_fields = dict(server.rdb.info())
        return [
            ("loading", int(server.loading)),
            ("async_loading", int(server.async_loading)),
            ("current_cow_peak", 0),
            ("current_cow_size", 0),
            ("current_cow_size_age", 0),
            ("current_fork_perc", "0.00"),
            ("current_save_keys_processed", 0),
            ("current_save_keys_total", 0),
            *((name, rdb_fields[name]) for name in _RDB_FIELDS[:4]),
            ("rdb_last_bgsave_time_sec", -1),
            ("rdb_current_bgsave_time_sec", -1),
            ("rdb_saves", rdb_fields["rdb_saves"]),
            ("rdb_last_cow_size", 0),
            ("rdb_last_load_keys_expired", 0),
            ("rdb_last_load_keys_loaded", 0),
            ("aof_enabled", 1 if aof is not None else 0),
            ("aof_rewrite_in_progress", 0),
            ("aof_rewrite_scheduled", 0),
            ("aof_last_rewrite_time_sec", -1),
            ("aof_current_rewrite_time_sec", -1),
            ("aof_last_bgrewrite_status", "ok"),
            ("aof_rewrites", 0),
            ("aof_rewrites_consecutive_failures", 0),
            ("aof_last_write_status", "ok" if aof is None or aof.healthy else "err"),
            ("aof_last_cow_size", 0),
            ("module_fork_in_progress", 0),
            ("module_fork_last_cow_size", 0),
            *(
                [
                    ("aof_current_size", aof.size),
                    ("aof_base_size", 0),
                    ("aof_pending_rewrite", 0),
                    ("aof_buffer_length", 0),
                    ("aof_pending_bio_fsync", 0),
                    ("aof_delayed_fsync", 0),
                ]
                if aof is not None
                else []
            ),
        ]

    def stats_section() -> Section:
        stats = server.stats
        repl = server.replication
        primary = repl.primary if repl is not None else None
        return [
            ("total_connections_received", stats.connections),
            ("total_commands_processed", stats.commands),
            ("instantaneous_ops_per_sec", 0),
            ("total_net_input_bytes", stats.net_input_bytes),
            ("total_net_output_bytes", stats.net_output_bytes),
            ("total_net_repl_input_bytes", 0),
            ("total_net_repl_output_bytes", 0),
            *((f"instantaneous_{name}_kbps", "0.00") for name in _KBPS),
            ("rejected_connections", stats.rejected_connections),
            ("sync_full", primary.sync_full if primary is not None else 0),
            ("sync_partial_ok", primary.sync_partial_ok if primary is not None else 0),
            ("sync_partial_err", primary.sync_partial_err if primary is not None else 0),
            ("expired_keys", server.keyspace.expired_keys),
            ("expired_stale_perc", "0.00"),
            *((name, 0) for name in _UNTRACKED_EXPIRY_EVICTION),
            ("keyspace_hits", 0),
            ("keyspace_misses", 0),
            ("pubsub_channels", len(server.pubsub.channels)),
            ("pubsub_patterns", len(server.pubsub.patterns)),
            ("pubsubshard_channels", len(server.pubsub.shard_channels)),
            *((name, 0) for name in _UNTRACKED_AFTER_PUBSUB),
            *tracking_stats(),
            *((name, 0) for name in _UNTRACKED_BEFORE_ERRORS),
            ("total_error_replies", server.error_stats.total),
            *((name, 0) for name in _UNTRACKED_AFTER_ERRORS),
        ]

    def replication_section() -> Section:
        return [
            ("role", "master"),
            ("connected_slaves", 0),
            ("master_failover_state", "no-failover"),
            ("master_replid", server.run_id),
            ("master_replid2", "0" * 40),
            ("master_repl_offset", 0),
            ("second_repl_offset", -1),
            ("repl_backlog_active", 0),
            ("repl_backlog_size", server.config.get_int("repl-backlog-size")),
            ("repl_backlog_first_byte_offset", 0),
            ("repl_backlog_histlen", 0),
        ]

    def cpu_section() -> Section:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return [
            ("used_cpu_sys", f"{usage.ru_stime:.6f}"),
            ("used_cpu_user", f"{usage.ru_utime:.6f}"),
            ("used_cpu_sys_children", "0.000000"),
            ("used_cpu_user_children", "0.000000"),
            ("used_cpu_sys_main_thread", f"{usage.ru_stime:.6f}"),
            ("used_cpu_user_main_thread", f"{usage.ru_utime:.6f}"),
        ]

    def cluster_section() -> Section:
        return [("cluster_enabled", 1 if server.cluster_enabled else 0)]

    def keyspace_section() -> Section:
        return [
            (f"db{index}", f"keys={len(ks)},expires={len(ks.expires)},avg_ttl=0")
            for index, ks in server.databases.live()
            if len(ks)
        ]

    return {
        "server": server_section,
        "clients": clients_section,
        "memory": memory_section,
        "persistence": persistence_section,
        "stats": stats_section,
        "replication": replication_section,
        "cpu": cpu_section,
        "modules": list,
        "commandstats": server.command_stats.info,
        "errorstats": server.error_stats.info,
        "latencystats": server.timing.latencystats,
        "cluster": cluster_section,
        "keyspace": keyspace_section,
    }


def render(server: Server, sections: list[str]) -> bytes:
    """The INFO text for the requested section names (``default``/``all``/``everything``
    or names); ``\\r\\n`` line ends, a blank line between sections, as redis does."""
    wanted: list[str] = []
    if not sections:
        sections = ["default"]
    for section in sections:
        name = section.lower()
        if name == "default":
            wanted.extend(
                n for n in server.info_providers if n not in wanted and n not in EXTRA_SECTIONS
            )
        elif name in ("all", "everything"):
            wanted.extend(n for n in server.info_providers if n not in wanted)
        elif name in server.info_providers and name not in wanted:
            wanted.append(name)
    parts: list[str] = []
    for name in wanted:
        title = TITLES.get(name, name.capitalize())
        lines = [f"# {title}"]
        lines += [f"{key}:{value}" for key, value in server.info_providers[name]()]
        parts.append("\r\n".join(lines) + "\r\n")
    return "\r\n".join(parts).encode()


def used_memory() -> int:
    """The ``used_memory`` INFO reports (the process's resident set), for other reports."""
    return _rss_bytes()
