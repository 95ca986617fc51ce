"""A real splitbrain-server with ``splitbrain-fsync-ledger yes`` loses power: SIGKILL,
:func:`nodes.disk.power_loss.lose_power` on its ``dir``, restart, count the keys.

With ``appendfsync always`` every acknowledged write survives; with ``everysec`` the
writes acknowledged after the last fsync are gone (and only those: the survivors are a
prefix of the writes, in order). Deterministic: the writes go out right after the
ledger shows an fsync (the next one is a second away); should a slow machine fsync
anyway before the kill, the round is repeated (bounded). The node is a one-node cluster,
so nodes.conf goes through the layer too and must survive the loss whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis

from nodes.disk import LEDGER_FILE
from nodes.disk.ledger import replay
from nodes.disk.power_loss import lose_power
from tests.support.servers import ServerProcess, splitbrain_server, wait_until

BATCH = 200
ROUNDS = 4


def _start(workdir: Path, appendfsync: str, port: int | None = None) -> ServerProcess:
    args = [
        "--appendonly", "yes", "--appendfsync", appendfsync,
        "--splitbrain-fsync-ledger", "yes", "--cluster-enabled", "yes",
    ]  # fmt: skip
    return splitbrain_server(workdir, port, args).start()


def _client(server: ServerProcess) -> Any:
    return redis.Redis(port=server.port, decode_responses=True)


def _incr_synced(workdir: Path) -> tuple[int, int]:
    """(durable length by the ledger, current size) of the AOF incr file."""
    state = replay((workdir / LEDGER_FILE).read_text().splitlines())
    name = max(n for n in state if n.endswith(".incr.aof"))
    return state[name] or 0, (workdir / name).stat().st_size


def _power_cycle(workdir: Path, appendfsync: str) -> tuple[int, int, list[int], bool]:
    """One round: acknowledged writes, power loss, restart. Returns (acknowledged,
    bytes lost, the indexes of the surviving keys, whether the node kept its id)."""
    server = _start(workdir, appendfsync)
    try:
        c = _client(server)
        c.execute_command("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        node_id = c.execute_command("CLUSTER", "MYID")
        wait_until(lambda: c.cluster("info")["cluster_state"] == "ok", 10, "cluster_state ok")
        c.set("probe", "1")
        # the ledger catches up with the probe: an fsync just happened (everysec's cron)
        wait_until(lambda: _incr_synced(workdir)[0] == _incr_synced(workdir)[1], 10, "an fsync")
        pipe = c.pipeline(transaction=False)
        for i in range(BATCH):
            pipe.set(f"{{k}}{i}", str(i))
        acked = sum(1 for r in pipe.execute() if r is True)
    finally:
        server.kill()
    lost = lose_power(workdir).lost_bytes
    server = _start(workdir, appendfsync, server.port)
    try:
        c = _client(server)
        same_node = c.execute_command("CLUSTER", "MYID") == node_id
        wait_until(lambda: c.cluster("info")["cluster_state"] == "ok", 10, "cluster_state ok")
        values = c.mget([f"{{k}}{i}" for i in range(BATCH)])
        survivors = [i for i, v in enumerate(values) if v is not None]
        assert c.get("probe") == "1", "a write fsynced before the loss was lost"
        return acked, lost, survivors, same_node
    finally:
        server.stop()


@pytest.mark.parametrize("appendfsync", ["always", "everysec"])
def test_power_loss_keeps_what_was_fsynced(tmp_path: Path, appendfsync: str) -> None:
    for attempt in range(ROUNDS):
        workdir = tmp_path / f"round{attempt}"
        acked, lost, survivors, same_node = _power_cycle(workdir, appendfsync)
        print(f"{appendfsync}: acked {acked}, survived {len(survivors)}, lost {lost} bytes")
        assert acked == BATCH
        assert same_node, "nodes.conf did not survive the power loss (a new node id)"
        assert survivors == list(range(len(survivors))), "survivors are not a prefix"
        if appendfsync == "always":
            assert lost == 0 and len(survivors) == BATCH
            return
        if lost > 0:
            assert len(survivors) < BATCH
            return
    pytest.fail(f"everysec: an fsync came before the kill in each of {ROUNDS} rounds")
