"""Outcome classification against real redis-server nodes: ok, MOVED/ASK, CLUSTERDOWN,
refused connections, timeouts (a paused node), WAIT acks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from harness.client import ClientConfig, ClusterClient, Outcome, Result, SlotMap, WaitPolicy
from harness.client.resp import RespConnection, pack
from harness.dbs.cluster import ClusterDB
from harness.dbs.cluster_state import admin_call
from harness.dbs.network import free_port_pair
from nodes.keyslot import keyslot
from tests.support.servers import redis_server

pytestmark = pytest.mark.redis
T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def wrapper() -> T:
        return await coro

    return asyncio.run(wrapper())


def client_for(
    db: ClusterDB, op_timeout_s: float = 1.0, wait: WaitPolicy | None = None
) -> tuple[ClusterClient, SlotMap]:
    slots = SlotMap([h.address for h in db.hosts])
    config = ClientConfig(
        op_timeout_s=op_timeout_s, connect_timeout_s=1.0, names=db.names, wait=wait
    )
    return ClusterClient(slots, config), slots


def key_on(db: ClusterDB, node: str, prefix: str = "k") -> str:
    """A key whose slot the node owns."""
    ranges = run(db.topology()).slots_of[node]
    i = 0
    while True:
        key = f"{prefix}{i}"
        if any(lo <= keyslot(key) <= hi for lo, hi in ranges):
            return key
        i += 1


def test_ok_routes_by_slot(cluster3: ClusterDB) -> None:
    keys = [key_on(cluster3, node, "ok") for node in ("n1", "n2", "n3")]

    async def go() -> list[Result]:
        client, _ = client_for(cluster3)
        try:
            out = []
            for key in keys:
                out.append(await client.execute(key, pack("SET", key, 1), write=True))
            return out
        finally:
            client.close()

    key_checks = run(go())
    assert [r.outcome for r in key_checks] == [Outcome.OK] * 3
    assert [r.node for r in key_checks] == ["n1", "n2", "n3"]


def test_moved_fails_then_refreshes(cluster3: ClusterDB) -> None:
    key = key_on(cluster3, "n2", "mv")
    wrong = cluster3.host("n1").address

    async def go() -> tuple[Result, Result, str | None]:
        client, slots = client_for(cluster3)
        try:
            await client.execute("warm", pack("GET", "warm"), write=False)  # loads the map
            slots.load([wrong] * 16384)  # every slot on n1: a stale map
            first = await client.execute(key, pack("SADD", key, 1), write=True)
            second = await client.execute(key, pack("SADD", key, 2), write=True)
            return first, second, slots.owner(keyslot(key))
        finally:
            client.close()

    first, second, owner = run(go())
    assert first.outcome is Outcome.FAIL and first.error is not None
    assert first.error.startswith("MOVED") and first.node == "n1"
    assert second.outcome is Outcome.OK and second.node == "n2"
    assert owner == cluster3.host("n2").address
    members = run(admin_call(cluster3.host("n2"), "SMEMBERS", key))
    assert sorted(members) == [b"2"]  # the MOVED write was not retried


def test_ask_is_followed_once(cluster3: ClusterDB) -> None:
    key = key_on(cluster3, "n1", "ask")
    slot = keyslot(key)
    src, dst = cluster3.host("n1"), cluster3.host("n3")
    topo = run(cluster3.topology())

    async def go() -> Result:
        await admin_call(dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", topo.node_ids["n1"])
        await admin_call(src, "CLUSTER", "SETSLOT", slot, "MIGRATING", topo.node_ids["n3"])
        client, _ = client_for(cluster3)
        try:
            return await client.execute(key, pack("SET", key, "x"), write=True)
        finally:
            client.close()
            conn = await RespConnection.open(dst.ip, dst.port, 1.0)
            await conn.call("ASKING", timeout_s=1.0)
            assert await conn.call("DEL", key, timeout_s=1.0) == 1  # the write landed on n3
            conn.close()
            for h in (src, dst):
                await admin_call(h, "CLUSTER", "SETSLOT", slot, "STABLE")

    result = run(go())
    assert result.outcome is Outcome.OK and result.node == "n3"  # ASK followed to n3


def test_clusterdown_is_fail(tmp_path: Path) -> None:
    server = redis_server(tmp_path, args=["--cluster-enabled", "yes"]).start()
    try:
        address = f"127.0.0.1:{server.port}"

        async def go() -> Result:
            slots = SlotMap([address])
            client = ClusterClient(slots, ClientConfig(1.0, 1.0, {address: "lonely"}))
            slots.load([address] * 16384)
            try:
                return await client.execute("k", pack("SET", "k", 1), write=True)
            finally:
                client.close()

        result = run(go())
    finally:
        server.stop()
    assert result.outcome is Outcome.FAIL
    assert result.error is not None and result.error.startswith("CLUSTERDOWN")


def test_refused_connection_is_fail() -> None:
    port = free_port_pair(set())  # nothing listens there
    address = f"127.0.0.1:{port}"

    async def go() -> Result:
        slots = SlotMap([address])
        slots.load([address] * 16384)
        client = ClusterClient(slots, ClientConfig(1.0, 1.0, {address: "gone"}))
        try:
            return await client.execute("k", pack("GET", "k"), write=False)
        finally:
            client.close()

    result = run(go())
    assert result.outcome is Outcome.FAIL and result.node == "gone"
    assert result.error is not None and result.error.startswith("connect")


def test_timeout_on_paused_node_is_info(cluster3: ClusterDB) -> None:
    key = key_on(cluster3, "n3", "to")

    async def go() -> tuple[Result, Result]:
        client, _ = client_for(cluster3, op_timeout_s=0.3)
        try:
            assert (await client.execute(key, pack("GET", key), write=False)).outcome is Outcome.OK
            await cluster3.pause("n3")
            try:
                timed_out = await client.execute(key, pack("SET", key, 1), write=True)
            finally:
                await cluster3.resume("n3")
            after = await client.execute(key, pack("GET", key), write=False)
            return timed_out, after
        finally:
            client.close()

    timed_out, after = run(go())
    assert timed_out.outcome is Outcome.INFO
    assert timed_out.error is not None and timed_out.error.startswith("timeout")
    assert after.outcome is Outcome.OK  # a fresh connection after the timeout


def test_wait_records_acks_and_strict_mode(cluster3: ClusterDB) -> None:
    key = key_on(cluster3, "n1", "w")

    async def go(strict: bool) -> Result:
        client, _ = client_for(cluster3, wait=WaitPolicy(1, 50, strict=strict))
        try:
            return await client.execute(key, pack("SET", key, 1), write=True)
        finally:
            client.close()

    lenient = run(go(False))
    strict = run(go(True))
    assert lenient.outcome is Outcome.OK and lenient.acks == 0  # no replicas in cluster3
    assert strict.outcome is Outcome.INFO and strict.acks == 0


def test_watch_transaction_cas(cluster3: ClusterDB) -> None:
    key = key_on(cluster3, "n2", "cas")

    def cas(old: bytes, new: int) -> Callable[[object], list[bytes] | None]:
        def decide(current: object) -> list[bytes] | None:
            if current != old:
                return None
            return [pack("MULTI"), pack("SET", key, new), pack("EXEC")]

        return decide

    async def go() -> tuple[Result, Result, object]:
        client, _ = client_for(cluster3)
        try:
            await client.execute(key, pack("SET", key, 1), write=True)
            mismatch = await client.execute_watched(key, pack("GET", key), cas(b"0", 5))
            match = await client.execute_watched(key, pack("GET", key), cas(b"1", 2))
            now = (await client.execute(key, pack("GET", key), write=False)).reply
            return mismatch, match, now
        finally:
            client.close()

    mismatch, match, now = run(go())
    assert mismatch.outcome is Outcome.FAIL and mismatch.error == "precondition not met"
    assert match.outcome is Outcome.OK and match.node == "n2"
    assert now == b"2"
