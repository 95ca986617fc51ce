"""Issue 8's failover acceptance scenarios, each on real splitbrain-server processes.

Modelled on Redis's own cluster tests (failover, failover loop, replica selection,
replica stop condition, replica migration, manual takeover, nofailover). Node timeout
1000 ms (2000 where a node is paused or a master's link must stay up), conditions waited
on with deadlines; a "never happens" claim is checked by polling over a bounded window
that is longer than the election would take.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
import redis

from nodes.keyslot import keyslot
from tests.nodes.cluster.conftest import (
    Nodes,
    cluster_info,
    cluster_nodes,
    command,
    redis_cli,
    slot_maps_agree,
)
from tests.support.servers import ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

FAST = ("--cluster-node-timeout", "1000")
ALL_SLOTS = 16384


# ---- cluster helpers ---------------------------------------------------------------------
def _create(nodes: Nodes, count: int, extra: tuple[str, ...] = FAST) -> list[ServerProcess]:
    servers = nodes.ours(count, extra)
    created = redis_cli(
        "--cluster",
        "create",
        *[f"127.0.0.1:{s.port}" for s in servers],
        "--cluster-replicas",
        "1",
        "--cluster-yes",
    )
    assert created.returncode == 0, created.stdout + created.stderr
    wait_until(lambda: _all_ok(servers), 20, "cluster_state:ok")
    wait_until(lambda: _roles_known(servers), 20, "every node to know every role")
    return servers


def _alive(servers: list[ServerProcess]) -> list[ServerProcess]:
    return [s for s in servers if s.process is not None and s.process.poll() is None]


def _all_ok(servers: list[ServerProcess]) -> bool:
    return all(
        info["cluster_state"] == "ok" and int(info["cluster_slots_assigned"]) == ALL_SLOTS
        for info in (cluster_info(s) for s in servers)
    )


def _roles_known(servers: list[ServerProcess]) -> bool:
    """Every live node has the same (id, master id) view of every node (voters refuse a
    replica whose master they do not know, as redis does)."""
    views = {
        tuple(sorted((line[0], line[3]) for line in cluster_nodes(s))) for s in _alive(servers)
    }
    return len(views) == 1


def _myself(server: ServerProcess) -> list[str]:
    return next(line for line in cluster_nodes(server) if "myself" in line[2])


def _port_of(line: list[str]) -> int:
    return int(line[1].split("@")[0].rsplit(":", 1)[1])


def _by_id(servers: list[ServerProcess], node_id: str) -> ServerProcess:
    view = cluster_nodes(_alive(servers)[0])
    port = next(_port_of(line) for line in view if line[0] == node_id)
    return next(s for s in servers if s.port == port)


def _masters(servers: list[ServerProcess]) -> list[ServerProcess]:
    """Slot-owning masters, in the order of their first slot (from a live node's view)."""
    lines = [
        line
        for line in cluster_nodes(_alive(servers)[0])
        if "master" in line[2] and "fail" not in line[2] and line[8:]
    ]
    lines.sort(key=lambda line: int(line[8].split("-")[0]))
    return [_by_id(servers, line[0]) for line in lines]


def _replicas_of(servers: list[ServerProcess], master: ServerProcess) -> list[ServerProcess]:
    master_id = _myself(master)[0]
    return [
        _by_id(servers, line[0])
        for line in cluster_nodes(master)
        if line[3] == master_id and "fail" not in line[2]
    ]


def _is_master(server: ServerProcess) -> bool:
    return "master" in _myself(server)[2]


def _replicates(server: ServerProcess, master: ServerProcess) -> bool:
    me = _myself(server)
    return "slave" in me[2] and me[3] == _myself(master)[0]


def _owned_key(server: ServerProcess, prefix: str) -> str:
    """A key whose slot ``server`` serves."""
    ranges = [r.split("-") for r in _myself(server)[8:] if not r.startswith("[")]
    for i in range(100_000):
        slot = keyslot(f"{prefix}{i}")
        if any(int(r[0]) <= slot <= int(r[-1]) for r in ranges):
            return f"{prefix}{i}"
    raise AssertionError(f"no key found for {ranges}")


def _epochs(server: ServerProcess) -> dict[str, int]:
    """Config epoch of every slot-owning master, from ``server``'s view."""
    return {
        line[0]: int(line[6])
        for line in cluster_nodes(server)
        if "master" in line[2] and line[8:] and "fail" not in line[2]
    }


def _log(server: ServerProcess) -> str:
    return server.log_path.read_text(errors="replace")


def _stays(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    """``predicate`` holds at every poll for ``seconds`` (the "never happens" check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert predicate(), what
        time.sleep(0.05)


def _write_acked(server: ServerProcess, key: str, value: str, replicas: int = 1) -> None:
    """SET on ``server``; WAIT until ``replicas`` replicas acknowledged it."""
    assert command(server, "SET", key, value) is True
    assert command(server, "WAIT", replicas, 5000) >= replicas


# ---- scenarios ---------------------------------------------------------------------------
def test_ten_kill_restart_cycles_keep_every_slot_with_unique_increasing_epochs(nodes: Nodes):
    """03-failover-loop: a master SIGKILLed, its replica takes over at a new epoch greater
    than every epoch before, no slot is ever left unserved once the cluster is ok again,
    a write the replica acknowledged is readable; the old master restarts and rejoins as
    a replica of the winner."""
    servers = _create(nodes, 6)
    highest = max(_epochs(servers[0]).values())
    for cycle in range(10):
        masters = _masters(servers)
        victim = masters[cycle % len(masters)]
        wait_until(lambda v=victim: _replicas_of(servers, v), 15, "a replica of the victim")
        wait_until(lambda: _roles_known(servers), 15, "every node to know every role")
        (heir,) = _replicas_of(servers, victim)
        key = _owned_key(victim, f"cycle{cycle}:")
        _write_acked(victim, key, str(cycle))
        victim.kill()
        wait_until(lambda h=heir: _is_master(h), 20, f"cycle {cycle}: the replica promoted")
        survivors = _alive(servers)
        wait_until(lambda s=survivors: _all_ok(s), 20, f"cycle {cycle}: every survivor ok")
        wait_until(lambda s=survivors: slot_maps_agree(s, known=6), 20, "one slot map")
        epochs = _epochs(heir)
        assert len(set(epochs.values())) == len(epochs), f"cycle {cycle}: {epochs}"
        new_epoch = epochs[_myself(heir)[0]]
        assert new_epoch > highest, f"cycle {cycle}: epoch {new_epoch} <= {highest}"
        highest = max(epochs.values())
        assert command(heir, "GET", key) == str(cycle).encode()
        victim.start()
        wait_until(lambda v=victim, h=heir: _replicates(v, h), 20, f"cycle {cycle}: the rejoin")
    wait_until(lambda: _all_ok(servers), 20, "cluster_state:ok everywhere")
    wait_until(lambda: slot_maps_agree(servers), 20, "one slot map")
    check = redis_cli("--cluster", "check", f"127.0.0.1:{servers[0].port}")
    assert check.returncode == 0, check.stdout


def _shard_offsets(viewer: ServerProcess) -> dict[str, int]:
    """node id -> replication offset, as ``viewer`` knows it (CLUSTER SHARDS)."""
    conn = redis.Redis(host="127.0.0.1", port=viewer.port, socket_timeout=5, protocol=2)
    try:
        shards = conn.execute_command("CLUSTER", "SHARDS")  # type: ignore[no-untyped-call]
    finally:
        conn.close()
    offsets: dict[str, int] = {}
    for shard in shards:
        fields = dict(zip(shard[::2], shard[1::2], strict=True))
        for node in fields[b"nodes"]:
            attrs = dict(zip(node[::2], node[1::2], strict=True))
            offsets[attrs[b"id"].decode()] = int(attrs[b"replication-offset"])
    return offsets


def test_replica_with_the_larger_offset_wins(nodes: Nodes):
    """05-slave-selection: of two replicas, the one that processed more of the master's
    stream has rank 0 and wins; the lagging one (rank 1) follows the winner."""
    servers = _create(nodes, 7, ("--cluster-node-timeout", "2000"))
    master = next(m for m in _masters(servers) if len(_replicas_of(servers, m)) == 2)
    behind, ahead = _replicas_of(servers, master)
    assert command(master, "WAIT", 2, 5000) == 2
    # `behind` is paused while 24 MB flow to `ahead`: more than the kernel buffers hold,
    # so when it resumes after the master's death it has only part of the stream
    os.kill(behind.pid, signal.SIGSTOP)
    try:
        conn = redis.Redis(host="127.0.0.1", port=master.port, socket_timeout=30)
        try:
            tag = _owned_key(master, "big")
            blob = b"x" * (512 * 1024)
            pipe = conn.pipeline(transaction=False)
            for i in range(48):
                pipe.set(f"{{{tag}}}:{i}", blob)
            pipe.execute()
            assert conn.execute_command("WAIT", 1, 10000) >= 1  # type: ignore[no-untyped-call]
        finally:
            conn.close()
        master.kill()
    finally:
        os.kill(behind.pid, signal.SIGCONT)
    ahead_id, behind_id = _myself(ahead)[0], _myself(behind)[0]
    wait_until(
        lambda: _shard_offsets(behind)[ahead_id] > _shard_offsets(behind)[behind_id],
        10,
        "the lagging replica to learn that its sibling is ahead",
    )
    wait_until(lambda: _is_master(ahead) or _is_master(behind), 20, "an election winner")
    assert _is_master(ahead), f"the lagging replica won:\n{_log(behind)[-3000:]}"
    wait_until(lambda: _replicates(behind, ahead), 20, "the loser to follow the winner")
    survivors = _alive(servers)
    wait_until(lambda: _all_ok(survivors), 20, "cluster_state:ok")


def test_replica_never_promoted_when_nofailover_or_stale(nodes: Nodes):
    """06-slave-stop-cond and the nofailover test, one shard each: a replica with
    cluster-replica-no-failover stays a replica when its master dies (until an operator's
    CLUSTER FAILOVER FORCE); a replica whose master link has been down longer than the
    validity factor allows stays a replica (until the factor is set to 0)."""
    servers = _create(nodes, 6)
    first, second, _third = _masters(servers)
    (careful,) = _replicas_of(servers, first)
    (stale,) = _replicas_of(servers, second)
    careful_id = _myself(careful)[0]
    assert command(careful, "CONFIG", "SET", "cluster-replica-no-failover", "yes")
    wait_until(
        lambda: all(
            "nofailover" in next(ln for ln in cluster_nodes(s) if ln[0] == careful_id)[2]
            for s in servers
        ),
        10,
        "the nofailover flag gossiped",
    )
    first.kill()
    survivors = _alive(servers)
    first_id = _myself(careful)[3]
    wait_until(
        lambda: all(
            "fail" in next(ln for ln in cluster_nodes(s) if ln[0] == first_id)[2].split(",")
            for s in survivors
        ),
        10,
        "the master FAIL everywhere",
    )
    # an election would be won within 0.5-1 s plus a vote round trip after FAIL
    _stays(lambda: not _is_master(careful), 3, "a nofailover replica was promoted")
    assert cluster_info(careful)["cluster_state"] == "fail"
    assert command(careful, "CLUSTER", "FAILOVER", "FORCE") == b"OK"
    wait_until(lambda: _is_master(careful), 10, "the operator's forced failover")
    wait_until(lambda: _all_ok(survivors), 20, "cluster_state:ok after the forced failover")

    # stale: its master refuses it (requirepass, no masterauth) after its restart, so its
    # link has been down "since ever" (redis's repl_down_since = 0 at start)
    assert command(second, "CONFIG", "SET", "requirepass", "sesame")
    stale.stop()
    stale.argv += ["--cluster-replica-validity-factor", "1", "--repl-ping-replica-period", "1"]
    stale.start()
    wait_until(
        lambda: command(stale, "INFO", "replication").get("master_link_status") == "down",
        10,
        "the stale replica's link down",
    )
    others = [s for s in servers if s is not second]  # second now wants a password
    wait_until(lambda: _roles_known(others), 15, "the restarted replica known again")
    second.kill()
    message = "Disconnected from master for longer than allowed"
    wait_until(lambda: message in _log(stale), 15, "the validity-factor refusal")
    _stays(lambda: not _is_master(stale), 2, "a stale replica was promoted")
    assert command(stale, "CONFIG", "SET", "cluster-replica-validity-factor", "0")
    wait_until(lambda: _is_master(stale), 15, "promotion once the factor is 0")


def test_replica_migrates_to_an_orphaned_master(nodes: Nodes):
    """12-replica-migration: a master that lost its only replica gets one from the master
    with the most replicas (migration barrier 1), which then replicates its data."""
    servers = _create(nodes, 7)
    masters = _masters(servers)
    rich = next(m for m in masters if len(_replicas_of(servers, m)) == 2)
    poor = next(m for m in masters if len(_replicas_of(servers, m)) == 1)
    (lost,) = _replicas_of(servers, poor)
    donors = _replicas_of(servers, rich)
    lost.kill()
    wait_until(
        lambda: any(_replicates(d, poor) for d in donors), 20, "a replica migrated to the orphan"
    )
    (moved,) = [d for d in donors if _replicates(d, poor)]
    assert _replicates(next(d for d in donors if d is not moved), rich)
    key = _owned_key(poor, "orphan")
    wait_until(
        lambda: command(moved, "INFO", "replication").get("master_link_status") == "up",
        10,
        "the migrated replica in sync",
    )
    _write_acked(poor, key, "adopted")
    conn = redis.Redis(host="127.0.0.1", port=moved.port, socket_timeout=5)
    try:
        assert conn.execute_command("READONLY")  # type: ignore[no-untyped-call]
        assert conn.get(key) == b"adopted"
    finally:
        conn.close()


def test_takeover_with_a_majority_of_masters_down(nodes: Nodes):
    """Manual TAKEOVER: two of three masters die, so no election can reach a majority;
    their replicas take over without votes and the cluster serves every slot again."""
    servers = _create(nodes, 6)
    first, second, third = _masters(servers)
    (r1,) = _replicas_of(servers, first)
    (r2,) = _replicas_of(servers, second)
    keys = {m.port: _owned_key(m, "takeover") for m in (first, second)}
    for master in (first, second):
        _write_acked(master, keys[master.port], "before")
    first.kill()
    second.kill()
    wait_until(lambda: cluster_info(third)["cluster_state"] == "fail", 10, "the cluster down")
    _stays(lambda: not _is_master(r1) and not _is_master(r2), 2, "an election without quorum")
    for replica in (r1, r2):
        assert command(replica, "CLUSTER", "FAILOVER", "TAKEOVER") == b"OK"
        assert _is_master(replica)  # at once, with no vote
    survivors = _alive(servers)
    wait_until(lambda: _all_ok(survivors), 20, "cluster_state:ok after the takeovers")
    # two takeovers at once may pick the same epoch: the collision rule separates them
    wait_until(
        lambda: len(set(_epochs(third).values())) == len(_epochs(third)), 10, "unique epochs"
    )
    assert command(r1, "GET", keys[first.port]) == b"before"
    assert command(r2, "GET", keys[second.port]) == b"before"


def test_write_acknowledged_through_wait_survives_with_appendfsync_always(nodes: Nodes):
    """A SIGKILLed master whose elected replica acknowledged a write through WAIT: the new
    master serves the write, and still does after it is SIGKILLed and restarted itself
    (its AOF was fsynced before it acknowledged)."""
    servers = _create(nodes, 6, (*FAST, "--appendonly", "yes", "--appendfsync", "always"))
    master = _masters(servers)[0]
    (replica,) = _replicas_of(servers, master)
    keys = [_owned_key(master, f"durable{i}:") for i in range(20)]
    for key in keys:
        _write_acked(master, key, key)
    master.kill()
    wait_until(lambda: _is_master(replica), 20, "the replica promoted")
    wait_until(lambda: _all_ok(_alive(servers)), 20, "cluster_state:ok")
    assert [command(replica, "GET", k) for k in keys] == [k.encode() for k in keys]
    replica.kill()
    replica.start()
    wait_until(lambda: _all_ok(_alive(servers)), 20, "cluster_state:ok after the restart")
    assert [command(replica, "GET", k) for k in keys] == [k.encode() for k in keys]
