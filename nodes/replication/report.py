"""What replication shows: the INFO ``# Replication`` section (redis-server 7.0's field
names and order) and the ROLE reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.resp.values import Reply

if TYPE_CHECKING:
    from nodes.replication.component import Replication


def info_section(repl: Replication) -> list[tuple[str, object]]:
    server = repl.server
    config = server.config
    now = server.clock_ms()
    fields: list[tuple[str, object]] = []
    master = repl.master
    links = repl.primary.live_links()
    if master is None:
        fields.append(("role", "master"))
    else:
        fields.append(("role", "slave"))
        fields.append(("master_host", master.host))
        fields.append(("master_port", master.port))
        fields.append(("master_link_status", "up" if master.connected else "down"))
        last_io = (now - master.last_io_ms) // 1000 if master.connected else -1
        fields.append(("master_last_io_seconds_ago", last_io))
        fields.append(("master_sync_in_progress", 1 if master.state == "sync" else 0))
        fields.append(("slave_read_repl_offset", master.read_offset))
        fields.append(("slave_repl_offset", repl.offset))
        if not master.connected:
            down = (now - master.down_since_ms) // 1000 if master.down_since_ms else -1
            fields.append(("master_link_down_since_seconds", down))
        fields.append(("slave_priority", config.get_int("replica-priority")))
        fields.append(("slave_read_only", 1 if config.get_bool("replica-read-only") else 0))
        fields.append(("replica_announced", 1 if config.get_bool("replica-announced") else 0))
    fields.append(("connected_slaves", len(links)))
    wanted = config.get_int("min-replicas-to-write")
    lag = config.get_int("min-replicas-max-lag")
    if wanted and lag:
        fields.append(("min_slaves_good_slaves", repl.primary.good_replicas(lag)))
    for i, link in enumerate(links):
        fields.append(
            (
                f"slave{i}",
                f"ip={link.ip},port={link.port},state={link.state},offset={link.ack_offset},"
                f"lag={(now - link.ack_ms) // 1000}",
            )
        )
    backlog = repl.backlog
    fields += [
        ("master_failover_state", repl.failover.state),
        ("master_replid", repl.replid),
        ("master_replid2", repl.replid2),
        ("master_repl_offset", repl.offset),
        ("second_repl_offset", repl.second_repl_offset),
        ("repl_backlog_active", 1 if backlog is not None else 0),
        ("repl_backlog_size", config.get_int("repl-backlog-size")),
        ("repl_backlog_first_byte_offset", backlog.first_byte_offset if backlog else 0),
        ("repl_backlog_histlen", backlog.histlen if backlog else 0),
    ]
    return fields


def role_reply(repl: Replication) -> Reply:
    master = repl.master
    if master is None:
        replicas: list[Reply] = [
            [link.ip.encode(), str(link.port).encode(), str(link.ack_offset).encode()]
            for link in repl.primary.live_links()
        ]
        return [b"master", repl.offset, replicas]
    offset = repl.offset if master.connected or repl.backlog is not None else -1
    return [b"slave", master.host.encode(), master.port, master.state.encode(), offset]
