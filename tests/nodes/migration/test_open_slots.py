"""CLUSTER SETSLOT, ASK, ASKING and TRYAGAIN compared with redis-server 7.0: the same
scenario runs on a 2-primary + 1-replica cluster of each kind and the replies (node ids
replaced by names) must be identical."""

from __future__ import annotations

import pytest

from nodes.keyslot import keyslot
from tests.nodes.cluster.conftest import Nodes, cluster_info, cluster_nodes, command
from tests.nodes.migration.test_dump_restore import Raw
from tests.support.servers import ServerProcess, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

TAG_NAME = next(f"mig{i}" for i in range(1000) if keyslot(f"mig{i}".encode()) < 8192)
TAG = "{" + TAG_NAME + "}"
SLOT = keyslot(TAG_NAME.encode())  # served by the first primary (0-8191)


def _myid(server: ServerProcess) -> str:
    raw = command(server, "CLUSTER", "MYID")
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _form(servers: list[ServerProcess]) -> None:
    a, b, c = servers
    command(a, "CLUSTER", "ADDSLOTSRANGE", 0, 8191)
    command(b, "CLUSTER", "ADDSLOTSRANGE", 8192, 16383)
    command(a, "CLUSTER", "SET-CONFIG-EPOCH", 1)
    command(b, "CLUSTER", "SET-CONFIG-EPOCH", 2)
    for other in (b, c):
        command(a, "CLUSTER", "MEET", "127.0.0.1", other.port)

    def known() -> bool:
        return all(len(cluster_nodes(s)) == 3 for s in servers)

    wait_until(known, 20, "three nodes knowing each other")
    command(c, "CLUSTER", "REPLICATE", _myid(a))

    def settled() -> bool:
        for server in servers:
            if cluster_info(server)["cluster_state"] != "ok":
                return False
            lines = cluster_nodes(server)
            if sum("slave" in line[2] for line in lines) != 1:
                return False
        return True

    wait_until(settled, 20, "cluster ok with one replica")


def _scenario(servers: list[ServerProcess]) -> list[str]:
    """Run the scenario; the replies with node ids and ports replaced by names."""
    a, b, c = servers
    names = {_myid(s): n for s, n in zip(servers, "ABC", strict=True)}
    names.update({f"127.0.0.1:{s.port}": f"addr{n}" for s, n in zip(servers, "ABC", strict=True)})
    names.update({str(s.port): f"port{n}" for s, n in zip(servers, "ABC", strict=True)})
    conn = {s.port: Raw(s.port) for s in servers}
    out: list[str] = []

    def run(server: ServerProcess, *args: str | int) -> None:
        reply = conn[server.port].call(*args).decode(errors="replace")
        for real, name in names.items():
            reply = reply.replace(real, name)
        named = [names.get(str(x), str(x)) for x in args]
        out.append(f"{names[_myid(server)]}: {' '.join(named)} -> {reply}")

    ida, idb, idc = (_myid(s) for s in servers)
    try:
        # argument checks and refusals
        run(c, "CLUSTER", "SETSLOT", SLOT, "STABLE")
        run(c, "CLUSTER", "SETSLOT", "abc", "STABLE")
        run(a, "CLUSTER", "SETSLOT", "abc", "STABLE")
        run(a, "CLUSTER", "SETSLOT", 16384, "STABLE")
        run(a, "CLUSTER", "SETSLOT", SLOT)
        run(a, "CLUSTER", "SETSLOT", SLOT, "STABLE", "x")
        run(a, "CLUSTER", "SETSLOT", SLOT, "BOGUS", idb)
        run(a, "CLUSTER", "SETSLOT", SLOT, "MIGRATING")
        run(a, "CLUSTER", "SETSLOT", SLOT, "MIGRATING", idc)
        run(a, "CLUSTER", "SETSLOT", SLOT, "MIGRATING", "nosuchnode")
        run(a, "CLUSTER", "SETSLOT", 9000, "MIGRATING", idb)
        run(a, "CLUSTER", "SETSLOT", SLOT, "IMPORTING", idb)
        run(b, "CLUSTER", "SETSLOT", SLOT, "IMPORTING", idc)
        run(b, "CLUSTER", "SETSLOT", SLOT, "IMPORTING", "nosuchnode")
        run(a, "CLUSTER", "SETSLOT", SLOT, "NODE", "nosuchnode")
        run(a, "CLUSTER", "SETSLOT", SLOT, "NODE", idc)
        # open the slot, move one of two keys
        run(a, "SET", f"{TAG}:1", "one")
        run(a, "SET", f"{TAG}:2", "two")
        run(b, "CLUSTER", "SETSLOT", SLOT, "IMPORTING", ida)
        run(a, "CLUSTER", "SETSLOT", SLOT, "MIGRATING", idb)
        run(a, "MIGRATE", "127.0.0.1", b.port, f"{TAG}:1", 0, 5000)
        run(a, "GET", f"{TAG}:1")
        run(a, "GET", f"{TAG}:2")
        run(a, "MGET", f"{TAG}:1", f"{TAG}:2")
        run(a, "SET", f"{TAG}:1", "again")
        run(a, "EXISTS", f"{TAG}:2")
        run(b, "GET", f"{TAG}:1")
        run(b, "ASKING")
        run(b, "GET", f"{TAG}:1")
        run(b, "GET", f"{TAG}:1")
        run(b, "ASKING")
        run(b, "MGET", f"{TAG}:1", f"{TAG}:2")
        run(b, "ASKING")
        run(b, "MGET", f"{TAG}:1", f"{TAG}:1")
        run(b, "ASKING")
        run(b, "SET", f"{TAG}:3", "three")
        run(b, "RESTORE-ASKING", f"{TAG}:1", 0, "junk")
        # ASKING covers the next request only, whatever it is ...
        run(b, "ASKING")
        run(b, "PING")
        run(b, "GET", f"{TAG}:1")
        # ... and a whole transaction it precedes, until EXEC
        run(b, "ASKING")
        run(b, "MULTI")
        run(b, "SET", f"{TAG}:4", "four")
        run(b, "GET", f"{TAG}:1")
        run(b, "EXEC")
        run(b, "GET", f"{TAG}:4")
        run(a, "CLUSTER", "SETSLOT", SLOT, "NODE", idb)
        run(a, "CLUSTER", "COUNTKEYSINSLOT", SLOT)
        run(b, "CLUSTER", "COUNTKEYSINSLOT", SLOT)
        open_a = [p for line in cluster_nodes(a) for p in line[8:] if p.startswith("[")]
        open_b = [p for line in cluster_nodes(b) for p in line[8:] if p.startswith("[")]
        out.append(f"open on A: {[names.get(p[-41:-1], p) for p in open_a]}")
        out.append(f"open on B: {[names.get(p[-41:-1], p) for p in open_b]}")
        # close: the rest moves, the target takes the slot with a bumped epoch
        run(a, "MIGRATE", "127.0.0.1", b.port, "", 0, 5000, "KEYS", f"{TAG}:1", f"{TAG}:2")
        run(a, "MIGRATE", "127.0.0.1", b.port, "", 0, 5000, "KEYS", f"{TAG}:1", f"{TAG}:2")
        epoch_before = int(cluster_info(b)["cluster_current_epoch"])
        run(b, "CLUSTER", "SETSLOT", SLOT, "NODE", idb)
        info = cluster_info(b)
        bumped = int(info["cluster_my_epoch"]) == epoch_before + 1
        out.append(f"B bumped its epoch: {bumped}")
        out.append(
            f"B current == my epoch: {info['cluster_my_epoch'] == info['cluster_current_epoch']}"
        )
        run(a, "CLUSTER", "SETSLOT", SLOT, "NODE", idb)
        run(a, "GET", f"{TAG}:1")
        run(b, "MGET", f"{TAG}:1", f"{TAG}:2", f"{TAG}:3")
        # closing a slot that was not importing does not bump
        before = cluster_info(a)["cluster_my_epoch"]
        run(a, "CLUSTER", "SETSLOT", 100, "MIGRATING", idb)
        run(a, "CLUSTER", "SETSLOT", 100, "STABLE")
        out.append(f"A epoch unchanged: {cluster_info(a)['cluster_my_epoch'] == before}")

        def replica_sees_b() -> bool:
            return any(
                line[0] == idb and str(SLOT) in " ".join(line[8:]) for line in cluster_nodes(c)
            ) or any(
                line[0] == idb
                and any(
                    int(p.split("-")[0]) <= SLOT <= int(p.split("-")[-1])
                    for p in line[8:]
                    if not p.startswith("[")
                )
                for line in cluster_nodes(c)
            )

        wait_until(replica_sees_b, 20, "the replica to learn the slot's new owner")
        run(c, "GET", f"{TAG}:1")
    finally:
        for raw in conn.values():
            raw.close()
    return out


def test_open_slot_replies_match_redis(shm_nodes: Nodes):
    theirs = shm_nodes.real(3)
    ours = shm_nodes.ours(3)
    _form(theirs)
    _form(ours)
    expected = _scenario(theirs)
    got = _scenario(ours)
    print("\n".join(f"{w}  |  {h}" for w, h in zip(expected, got, strict=True) if w != h))
    for want, have in zip(expected, got, strict=True):
        assert have == want
