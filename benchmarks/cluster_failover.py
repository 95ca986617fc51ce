"""Failover time after SIGKILL of a primary: splitbrain vs redis-server, alternately.

    .venv/bin/python -m benchmarks.cluster_failover [--rounds 2] [--node-timeout 2000]

Each round, for each kind: a 6-node cluster (3 primaries, 3 replicas) made with
``redis-cli --cluster create``; SIGKILL one primary; measure the time until one of its
replicas serves its slots and every surviving node reports ``cluster_state:ok``. All
processes are stopped by pid; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time

import redis

from benchmarks.cluster_converge import _cluster, _cmd, _text


def _myself(conn: redis.Redis) -> list[str]:
    for line in _text(_cmd(conn, "CLUSTER", "NODES")).strip().split("\n"):
        parts = line.split()
        if "myself" in parts[2]:
            return parts
    raise RuntimeError("no myself line")


def _link_up(conn: redis.Redis) -> bool:
    info = conn.info("replication")
    return isinstance(info, dict) and info.get("master_link_status") == "up"


def one_round(kind: str, node_timeout: int, timeout: float) -> float | None:
    with _cluster(kind, 6, node_timeout) as servers:
        addrs = [f"127.0.0.1:{s.port}" for s in servers]
        create = subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *addrs,
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if create.returncode != 0:
            raise RuntimeError(f"{kind}: cluster create failed: {create.stdout[-500:]}")
        conns = {
            s.port: redis.Redis(host="127.0.0.1", port=s.port, socket_timeout=5) for s in servers
        }
        deadline = time.monotonic() + 60
        victim = servers[0]
        victim_id = _myself(conns[victim.port])[0]
        while time.monotonic() < deadline:
            infos = [_text(_cmd(c, "CLUSTER", "INFO")) for c in conns.values()]
            nodes_text = _text(_cmd(conns[servers[1].port], "CLUSTER", "NODES"))
            synced = sum(_link_up(c) for c in conns.values())
            if (
                all("cluster_state:ok" in i for i in infos)
                and nodes_text.count(victim_id) >= 2
                and synced == 3
            ):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{kind}: cluster never settled")
        victim.kill()
        start = time.monotonic()
        survivors = [c for p, c in conns.items() if p != victim.port]
        end = start + timeout
        while time.monotonic() < end:
            try:
                promoted = any(
                    "master" in (me := _myself(c))[2] and "0-5460" in me[8:] for c in survivors
                )
                ok = all("cluster_state:ok" in _text(_cmd(c, "CLUSTER", "INFO")) for c in survivors)
            except redis.RedisError:
                promoted = ok = False
            if promoted and ok:
                return time.monotonic() - start
            time.sleep(0.05)
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--node-timeout", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    kinds = ["splitbrain"] + (["redis"] if shutil.which("redis-server") else [])
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(args.rounds):
        for kind in kinds:
            took = one_round(kind, args.node_timeout, args.timeout)
            print(json.dumps({"kind": kind, "failover_s": took}), flush=True)
            if took is not None:
                times[kind].append(took)
    for kind in kinds:
        values = times[kind]
        median = f"{statistics.median(values):.2f}" if values else "timeout"
        print(f"{kind:<12} median failover {median} s over {len(values)} round(s)")
    return 0 if all(times[k] for k in kinds) else 1


if __name__ == "__main__":
    sys.exit(main())
