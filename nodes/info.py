"""The default INFO sections (server, clients, memory, persistence, stats, replication, cpu,
modules, errorstats, cluster, keyspace). Each provider returns ``(field, value)`` pairs."""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

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
    "errorstats": "Errorstats",
    "cluster": "Cluster",
    "keyspace": "Keyspace",
}
DEFAULT_SECTIONS = tuple(TITLES)
VERSION = "7.0.15"
"""The redis-server version we answer like."""


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
            ("multiplexing_api", "epoll"),
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
            ("executable", sys.executable),
            ("config_file", str(server.config.config_file or "")),
            ("io_threads_active", 0),
            ("splitbrain_python", sys.version.split()[0]),
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
        return [
            ("used_memory", rss),
            ("used_memory_human", f"{rss / 1024 / 1024:.2f}M"),
            ("used_memory_rss", rss),
            ("used_memory_peak", rss),
            ("maxmemory", server.config.get_int("maxmemory")),
            ("maxmemory_policy", "noeviction"),
            ("mem_allocator", "libc"),
        ]

    def persistence_section() -> Section:
        aof = server.aof
        return [
            ("loading", 0),
            ("async_loading", 0),
            ("current_cow_peak", 0),
            *server.rdb.info(),
            ("aof_enabled", 1 if aof is not None else 0),
            ("aof_rewrite_in_progress", 0),
            ("aof_rewrite_scheduled", 0),
            ("aof_last_write_status", "ok" if aof is None or aof.healthy else "err"),
            ("aof_current_size", aof.size if aof is not None else 0),
        ]

    def stats_section() -> Section:
        stats = server.stats
        return [
            ("total_connections_received", stats.connections),
            ("total_commands_processed", stats.commands),
            ("instantaneous_ops_per_sec", 0),
            ("total_net_input_bytes", stats.net_input_bytes),
            ("total_net_output_bytes", stats.net_output_bytes),
            ("rejected_connections", stats.rejected_connections),
            ("expired_keys", server.keyspace.expired_keys),
            ("evicted_keys", 0),
            ("keyspace_hits", 0),
            ("keyspace_misses", 0),
            ("pubsub_channels", len(server.pubsub.channels)),
            ("pubsub_patterns", len(server.pubsub.patterns)),
            ("pubsubshard_channels", len(server.pubsub.shard_channels)),
            *tracking_stats(),
            ("total_error_replies", stats.errors),
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
        "errorstats": list,
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
        if name in ("default", "all", "everything"):
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
