"""How fast an N-node cluster converges, and its bus traffic: splitbrain vs redis-server.

    .venv/bin/python -m benchmarks.cluster_converge [--nodes 30] [--node-timeout 5000]

For each server kind in turn, starts ``--nodes`` cluster-enabled masters on free ports
(stopped by pid), gives each an equal slot range and a distinct config epoch, sends every
node a ``CLUSTER MEET`` to the first, and measures the time until every node reports
``cluster_state:ok``, knows all nodes and prints the same slot map. Then, with no client
traffic, it samples the kernel's per-socket ``bytes_sent`` (``ss -ti``) of all bus
connections over ``--window`` seconds: bus bytes per second per node. Bounded by
``--timeout`` per kind.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.servers import ServerProcess, free_port, redis_server, splitbrain_server

SLOTS = 16384


def _start(kind: str, root: Path, count: int, node_timeout: int) -> list[ServerProcess]:
    args = ["--cluster-enabled", "yes", "--cluster-node-timeout", str(node_timeout)]
    servers: list[ServerProcess] = []
    used: set[int] = set()
    for i in range(count):
        port = free_port(with_bus=True)
        while port in used or port + 10000 in used:
            port = free_port(with_bus=True)
        used.update((port, port + 10000))
        factory = splitbrain_server if kind == "splitbrain" else redis_server
        server = factory(root / f"{kind}{i}", port=port, args=args)
        servers.append(server)
        server.start(timeout=30)
    return servers


@contextmanager
def _cluster(kind: str, count: int, node_timeout: int) -> Iterator[list[ServerProcess]]:
    root = Path(tempfile.mkdtemp(prefix=f"converge-{kind}-"))
    servers: list[ServerProcess] = []
    try:
        servers = _start(kind, root, count, node_timeout)
        yield servers
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _cmd(conn: redis.Redis, *args: str | int) -> object:
    return conn.execute_command(*args)  # type: ignore[no-untyped-call]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _signature(nodes_text: str) -> str:
    entries = []
    for line in nodes_text.strip().split("\n"):
        parts = line.split()
        slots = [p for p in parts[8:] if not p.startswith("[")]
        if slots:
            entries.append(parts[0] + ":" + ",".join(slots))
    return "|".join(sorted(entries))


def _converged(conns: list[redis.Redis], count: int) -> bool:
    signatures = set()
    for conn in conns:
        info = _text(_cmd(conn, "CLUSTER", "INFO"))
        if "cluster_state:ok" not in info or f"cluster_known_nodes:{count}\r" not in info:
            return False
        signatures.add(_signature(_text(_cmd(conn, "CLUSTER", "NODES"))))
        if len(signatures) > 1:
            return False
    return True


_BYTES = re.compile(r"bytes_sent:(\d+)")


def _bus_bytes(bus_ports: set[int]) -> int:
    """Sum of bytes_sent over established TCP sockets with a bus port at either end."""
    out = subprocess.run(
        ["ss", "-tinH", "state", "established"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    total = 0
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line[:1].isspace():
            continue  # the detail line of the socket above
        fields = line.split()
        if len(fields) < 4:
            continue
        ports = {int(f.rsplit(":", 1)[1]) for f in fields[2:4] if ":" in f}
        if not ports & bus_ports:
            continue
        detail = lines[i + 1] if i + 1 < len(lines) else ""
        match = _BYTES.search(detail)
        if match:
            total += int(match.group(1))
    return total


def run(
    kind: str, count: int, node_timeout: int, timeout: float, window: float
) -> dict[str, object]:
    with _cluster(kind, count, node_timeout) as servers:
        conns = [redis.Redis(host="127.0.0.1", port=s.port, socket_timeout=10) for s in servers]
        step = SLOTS // count
        for i, conn in enumerate(conns):
            end = SLOTS - 1 if i == count - 1 else (i + 1) * step - 1
            _cmd(conn, "CLUSTER", "ADDSLOTSRANGE", i * step, end)
            _cmd(conn, "CLUSTER", "SET-CONFIG-EPOCH", i + 1)
        start = time.monotonic()
        for conn in conns[1:]:
            _cmd(conn, "CLUSTER", "MEET", "127.0.0.1", servers[0].port)
        deadline = start + timeout
        converged_s: float | None = None
        while time.monotonic() < deadline:
            if _converged(conns, count):
                converged_s = time.monotonic() - start
                break
            time.sleep(0.5)
        bus_ports = {s.port + 10000 for s in servers}
        before = _bus_bytes(bus_ports)
        t0 = time.monotonic()
        time.sleep(window)
        after = _bus_bytes(bus_ports)
        elapsed = time.monotonic() - t0
        for conn in conns:
            conn.close()
        return {
            "kind": kind,
            "nodes": count,
            "node_timeout_ms": node_timeout,
            "converged_s": None if converged_s is None else round(converged_s, 2),
            "bus_bytes_per_s_per_node": round((after - before) / elapsed / count),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, default=30)
    parser.add_argument("--node-timeout", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=120.0, help="per kind, seconds")
    parser.add_argument("--window", type=float, default=5.0, help="traffic sample, seconds")
    parser.add_argument("--kinds", default="splitbrain,redis")
    args = parser.parse_args(argv)
    if args.nodes < 3:
        print("cluster_converge: --nodes must be at least 3", file=sys.stderr)
        return 254
    results = []
    for kind in args.kinds.split(","):
        if kind == "redis" and shutil.which("redis-server") is None:
            print("cluster_converge: redis-server missing, skipped", file=sys.stderr)
            continue
        result = run(kind, args.nodes, args.node_timeout, args.timeout, args.window)
        results.append(result)
        print(json.dumps(result), flush=True)
    print(f"{'kind':<12}{'nodes':>6}{'converged (s)':>15}{'bus B/s/node':>14}")
    for r in results:
        conv = "timeout" if r["converged_s"] is None else f"{r['converged_s']}"
        print(f"{r['kind']!s:<12}{r['nodes']!s:>6}{conv:>15}{r['bus_bytes_per_s_per_node']!s:>14}")
    return 0 if all(r["converged_s"] is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
