"""Pub/sub and blocked clients in a real cluster: PUBLISH reaches every node over the
bus, SPUBLISH only its shard, shard channels are routed like keys (-MOVED, -CROSSSLOT),
their subscribers are told when the slot moves away, and a client blocked on a key of a
slot that moved gets -MOVED. The mixed test puts one of ours beside real redis-servers,
which checks the PUBLISH message bytes on the bus in both directions."""

from __future__ import annotations

import socket

import pytest

from nodes.keyslot import keyslot
from tests.nodes.cluster.conftest import Nodes, cluster_info, cluster_nodes, command, redis_cli
from tests.nodes.differential.framing import Reply, ReplyReader
from tests.support.servers import REDIS_SERVER, ServerProcess, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]


class Conn:
    """A raw connection: requests out, whole replies (exact bytes) in."""

    def __init__(self, server: ServerProcess) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.reader = ReplyReader(self.sock)

    def send(self, *args: str | bytes) -> None:
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            data = a.encode() if isinstance(a, str) else a
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(parts))

    def call(self, *args: str | bytes) -> Reply:
        self.send(*args)
        return self.reader.read()

    def read(self) -> Reply:
        return self.reader.read()

    def close(self) -> None:
        self.sock.close()


def _msg(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def _create(servers: list[ServerProcess], replicas: int) -> None:
    addrs = [f"127.0.0.1:{s.port}" for s in servers]
    args = ["--cluster", "create", *addrs, "--cluster-yes"]
    if replicas:
        args += ["--cluster-replicas", str(replicas)]
    created = redis_cli(*args)
    assert created.returncode == 0, created.stdout + created.stderr
    wait_until(
        lambda: all(
            cluster_info(s)["cluster_state"] == "ok"
            and cluster_info(s)["cluster_known_nodes"] == str(len(servers))
            for s in servers
        ),
        30,
        "cluster_state:ok and every node known everywhere",
    )


def _roles(servers: list[ServerProcess]) -> tuple[dict[str, ServerProcess], dict[str, str]]:
    """node id -> server, and replica id -> master id (as the first server sees it)."""
    by_port = {s.port: s for s in servers}
    ids: dict[str, ServerProcess] = {}
    masters: dict[str, str] = {}
    for line in cluster_nodes(servers[0]):
        port = int(line[1].split("@")[0].rsplit(":", 1)[1])
        ids[line[0]] = by_port[port]
        if line[3] != "-":
            masters[line[0]] = line[3]
    return ids, masters


def _owner(servers: list[ServerProcess], slot: int) -> tuple[str, ServerProcess]:
    ids, _ = _roles(servers)
    for line in cluster_nodes(servers[0]):
        for part in line[8:]:
            lo, _, hi = part.partition("-")
            if not lo.startswith("[") and int(lo) <= slot <= int(hi or lo):
                return line[0], ids[line[0]]
    raise AssertionError(f"slot {slot} has no owner")


def _channel_in_other_slot(channel: str, servers: list[ServerProcess], owner_id: str) -> str:
    """A channel name whose slot belongs to another master than ``owner_id``."""
    for i in range(1000):
        name = f"{channel}{i}"
        if _owner(servers, keyslot(name.encode()))[0] != owner_id:
            return name
    raise AssertionError("no channel found")


def test_publish_spublish_and_slot_moves_in_a_cluster_of_ours(nodes: Nodes) -> None:
    servers = nodes.ours(6)
    _create(servers, replicas=1)
    wait_until(lambda: len(_roles(servers)[1]) == 3, 20, "three replicas known")
    ids, masters = _roles(servers)

    # PUBLISH on one node reaches a subscriber on every node.
    subs = [Conn(s) for s in servers]
    for sub in subs:
        assert sub.call("SUBSCRIBE", "news").raw == b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    publisher = Conn(servers[0])
    assert publisher.call("PUBLISH", "news", "hello").raw == b":1\r\n"  # the local one
    for sub in subs:
        assert sub.read().raw == _msg(b"message", b"news", b"hello")
    Conn(servers[4]).call("PUBLISH", "news", "again")  # from another node
    for sub in subs:
        assert sub.read().raw == _msg(b"message", b"news", b"again")

    # SPUBLISH reaches its shard (master and replica) only.
    channel = "orders"
    slot = keyslot(channel.encode())
    owner_id, owner = _owner(servers, slot)
    replica = next(ids[r] for r, m in masters.items() if m == owner_id)
    others = [s for s in servers if s not in (owner, replica)]
    on_replica = Conn(replica)
    assert on_replica.call("SSUBSCRIBE", channel).raw == (
        b"*3\r\n$10\r\nssubscribe\r\n$6\r\norders\r\n:1\r\n"
    )
    on_owner = Conn(owner)
    on_owner.call("SSUBSCRIBE", channel)
    moved = Conn(others[0]).call("SSUBSCRIBE", channel)
    assert moved.raw.startswith(b"-MOVED %d " % slot), moved.raw
    assert Conn(others[0]).call("SPUBLISH", channel, "x").raw.startswith(b"-MOVED")
    cross = Conn(owner).call("SSUBSCRIBE", channel, _channel_in_other_slot("o", servers, owner_id))
    assert cross.raw == b"-CROSSSLOT Keys in request don't hash to the same slot\r\n"
    assert Conn(owner).call("SPUBLISH", channel, "paid").raw == b":1\r\n"
    assert on_owner.read().raw == _msg(b"smessage", b"orders", b"paid")
    assert on_replica.read().raw == _msg(b"smessage", b"orders", b"paid")
    assert Conn(replica).call("SPUBLISH", channel, "from-replica").raw == b":1\r\n"
    assert on_replica.read().raw == _msg(b"smessage", b"orders", b"from-replica")
    assert on_owner.read().raw == _msg(b"smessage", b"orders", b"from-replica")
    # the other shards never saw them: their shard-channel table stays empty
    for other in others:
        assert Conn(other).call("PUBSUB", "SHARDCHANNELS").raw == b"*0\r\n"

    # A client blocked on a key of the slot, then the slot moves to another master.
    key = "orders"  # same slot as the channel
    blocked = Conn(owner)
    blocked.send("BLPOP", key, "0")
    wait_until(
        lambda: command(owner, "INFO", "clients")["blocked_clients"] == 1,
        10,
        "the BLPOP client is blocked",
    )
    target_id = next(m for m in set(masters.values()) if m != owner_id)
    target = ids[target_id]
    assert command(target, "CLUSTER", "SETSLOT", slot, "NODE", target_id)
    assert command(owner, "CLUSTER", "SETSLOT", slot, "NODE", target_id)
    where = f"127.0.0.1:{target.port}".encode()
    assert blocked.read().raw == b"-MOVED %d %s\r\n" % (slot, where)
    assert on_owner.read().raw == b"*3\r\n$12\r\nsunsubscribe\r\n$6\r\norders\r\n:0\r\n"
    # the replica follows its master's view of the slot (via gossip) and drops it too
    assert on_replica.read().raw == b"*3\r\n$12\r\nsunsubscribe\r\n$6\r\norders\r\n:0\r\n"
    for conn in [*subs, publisher, on_replica, on_owner, blocked]:
        conn.close()


def test_publish_crosses_between_ours_and_redis_server(nodes: Nodes) -> None:
    ours = nodes.ours(2)
    real = nodes.real(1)
    everyone = [*ours, *real]
    _create(everyone, replicas=0)
    on_real, on_ours = Conn(real[0]), Conn(ours[0])
    on_real.call("SUBSCRIBE", "c")
    on_ours.call("SUBSCRIBE", "c")
    on_ours.call("PSUBSCRIBE", "c*")
    on_real.call("PSUBSCRIBE", "c*")
    payload = bytes(range(256)) * 3  # binary safe, longer than one small buffer
    assert Conn(ours[1]).call("PUBLISH", "c", payload).raw == b":0\r\n"
    for sub in (on_real, on_ours):
        assert sub.read().raw == _msg(b"message", b"c", payload)
        assert sub.read().raw == _msg(b"pmessage", b"c*", b"c", payload)
    assert Conn(real[0]).call("PUBLISH", "c", "from-redis").raw == b":2\r\n"
    for sub in (on_real, on_ours):
        assert sub.read().raw == _msg(b"message", b"c", b"from-redis")
        assert sub.read().raw == _msg(b"pmessage", b"c*", b"c", b"from-redis")
    # shard channels: a real master's shard has no other node; ours routes to it
    _, owner = _owner(everyone, keyslot(b"sc"))
    moved = Conn(next(s for s in everyone if s is not owner)).call("SPUBLISH", "sc", "m")
    assert moved.raw == b"-MOVED %d 127.0.0.1:%d\r\n" % (keyslot(b"sc"), owner.port)
    on_real.close()
    on_ours.close()
