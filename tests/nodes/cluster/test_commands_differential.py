"""CLUSTER subcommands on a fresh node: the same replies and errors as redis-server 7.0."""

from __future__ import annotations

import pytest

from tests.nodes.cluster.conftest import Nodes, redis_cli
from tests.support.servers import REDIS_SERVER, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]

SCRIPT: list[list[str]] = [
    ["CLUSTER", "KEYSLOT", "foo"],
    ["CLUSTER", "KEYSLOT", "{user1000}.following"],
    ["CLUSTER", "COUNTKEYSINSLOT", "16384"],
    ["CLUSTER", "COUNTKEYSINSLOT", "abc"],
    ["CLUSTER", "COUNTKEYSINSLOT", "5"],
    ["CLUSTER", "GETKEYSINSLOT", "1", "-1"],
    ["CLUSTER", "GETKEYSINSLOT", "20000", "1"],
    ["CLUSTER", "GETKEYSINSLOT", "1", "10"],
    ["CLUSTER", "ADDSLOTS", "99999"],
    ["CLUSTER", "ADDSLOTS", "abc"],
    ["CLUSTER", "ADDSLOTS", "1", "1"],
    ["CLUSTER", "ADDSLOTSRANGE", "5", "1"],
    ["CLUSTER", "ADDSLOTSRANGE", "1"],
    ["CLUSTER", "ADDSLOTSRANGE", "1", "2", "3"],
    ["CLUSTER", "DELSLOTS", "5"],
    ["CLUSTER", "MEET", "127.0.0.1", "abc"],
    ["CLUSTER", "MEET", "127.0.0.1", "1", "x"],
    ["CLUSTER", "MEET", "notanip", "1234"],
    ["CLUSTER", "REPLICATE", "nonexistent"],
    ["CLUSTER", "FORGET", "nonexistent"],
    ["CLUSTER", "COUNT-FAILURE-REPORTS", "nonexistent"],
    ["CLUSTER", "REPLICAS", "nonexistent"],
    ["CLUSTER", "SET-CONFIG-EPOCH", "-1"],
    ["CLUSTER", "SET-CONFIG-EPOCH", "x"],
    ["CLUSTER", "RESET", "foo"],
    ["CLUSTER", "NOSUCH"],
    ["CLUSTER"],
    ["GET", "foo"],
    ["MSET", "a", "1", "b", "2"],
    ["CLUSTER", "BUMPEPOCH"],
    ["CLUSTER", "BUMPEPOCH"],
    ["CLUSTER", "SET-CONFIG-EPOCH", "5"],
    ["CLUSTER", "ADDSLOTS", "0", "1", "2", "100"],
    ["CLUSTER", "ADDSLOTS", "2"],
    ["CLUSTER", "ADDSLOTSRANGE", "200", "300", "400", "410"],
    ["CLUSTER", "DELSLOTSRANGE", "0", "1"],
    ["CLUSTER", "DELSLOTS", "0"],
    ["CLUSTER", "COUNTKEYSINSLOT", "100"],
    ["READONLY"],
    ["READWRITE"],
    ["ASKING"],
    ["CLUSTER", "FLUSHSLOTS"],
    ["CLUSTER", "RESET", "SOFT"],
    ["CLUSTER", "SAVECONFIG"],
    ["CLUSTER", "HELP"],
]


def _replies(port: int) -> list[str]:
    return [redis_cli("-p", str(port), *argv).stdout for argv in SCRIPT]


def _info_head(port: int) -> str:
    return "\n".join(redis_cli("-p", str(port), "CLUSTER", "INFO").stdout.splitlines()[:9])


def test_cluster_commands_match_redis_server(nodes: Nodes):
    ours = nodes.ours(1)[0]
    real = nodes.real(1)[0]
    theirs = _replies(real.port)
    mine = _replies(ours.port)
    mismatches = [
        f"{' '.join(argv)}: redis={t!r} ours={m!r}"
        for argv, t, m in zip(SCRIPT, theirs, mine, strict=True)
        if t != m
    ]
    assert not mismatches, "\n".join(mismatches)
    # cluster_size is recomputed only after the 2 s writable delay on both servers
    wait_until(
        lambda: _info_head(ours.port) == _info_head(real.port), 10, "the same CLUSTER INFO head"
    )
