"""How long moving 1,000 slots holding 100,000 keys takes: splitbrain vs redis-server.

    .venv/bin/python -m benchmarks.migration_bench [--slots 1000] [--keys 100000]
        [--pipeline 10] [--timeout 600]

For each server kind in turn (same run, same machine): two cluster-enabled primaries on
free ports (files on tmpfs when available, stopped by pid), the first serving slots
0-8191 and the second the rest; ``--keys`` string keys spread evenly over slots
``0..--slots-1`` of the first; then the wall time of ``redis-cli --cluster reshard``
moving those slots to the second primary (``--cluster-pipeline`` keys per MIGRATE).
Afterwards the second primary must hold every key. Bounded by ``--timeout`` per kind.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from nodes.keyslot import keyslot
from tests.support.servers import REDIS_CLI, ServerProcess, redis_server, splitbrain_server
from tests.support.servers import wait_until as _wait_until

KINDS = ("redis", "splitbrain")


def _tags(slots: int) -> list[str]:
    """One hash tag per slot ``0..slots-1``."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < slots:
        tag = f"t{i}"
        slot = keyslot(tag.encode())
        if slot < slots and slot not in found:
            found[slot] = tag
        i += 1
    return [found[s] for s in range(slots)]


@contextmanager
def _pair(kind: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    root = Path(tempfile.mkdtemp(prefix=f"migration-bench-{kind}-", dir=base))
    args = ["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"]
    factory = splitbrain_server if kind == "splitbrain" else redis_server
    servers: list[ServerProcess] = []
    try:
        for i in range(2):
            server = factory(root / f"{kind}{i}", args=args)
            servers.append(server)
            server.start(timeout=30)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _conn(server: ServerProcess) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=120)


def _cmd(server: ServerProcess, *args: str | int) -> object:
    conn = _conn(server)
    try:
        return conn.execute_command(*args)  # type: ignore[no-untyped-call]
    finally:
        conn.close()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _form(a: ServerProcess, b: ServerProcess) -> None:
    _cmd(a, "CLUSTER", "ADDSLOTSRANGE", 0, 8191)
    _cmd(b, "CLUSTER", "ADDSLOTSRANGE", 8192, 16383)
    _cmd(a, "CLUSTER", "SET-CONFIG-EPOCH", 1)
    _cmd(b, "CLUSTER", "SET-CONFIG-EPOCH", 2)
    _cmd(a, "CLUSTER", "MEET", "127.0.0.1", b.port)

    def ok() -> bool:
        for server in (a, b):
            info = _text(_cmd(server, "CLUSTER", "INFO"))
            if "cluster_state:ok" not in info or "cluster_known_nodes:2" not in info:
                return False
        return True

    _wait_until(ok, 30, "a two-node cluster")


def _fill(server: ServerProcess, tags: list[str], keys: int) -> None:
    per_slot = keys // len(tags)
    conn = _conn(server)
    try:
        pipe = conn.pipeline(transaction=False)
        for n, tag in enumerate(tags):
            for j in range(per_slot):
                pipe.set(f"{{{tag}}}:{j}", "x" * 16)
            if n % 20 == 19:
                pipe.execute()
        pipe.execute()
    finally:
        conn.close()


def measure(kind: str, slots: int, keys: int, pipeline: int, timeout: float) -> dict[str, object]:
    tags = _tags(slots)
    with _pair(kind) as (a, b):
        _form(a, b)
        _fill(a, tags, keys)
        stored = int(_text(_cmd(a, "DBSIZE")))
        started = time.monotonic()
        assert REDIS_CLI is not None, "redis-cli missing"
        done = subprocess.run(
            [
                REDIS_CLI,
                "--cluster",
                "reshard",
                f"127.0.0.1:{a.port}",
                "--cluster-from",
                _text(_cmd(a, "CLUSTER", "MYID")),
                "--cluster-to",
                _text(_cmd(b, "CLUSTER", "MYID")),
                "--cluster-slots",
                str(slots),
                "--cluster-pipeline",
                str(pipeline),
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        elapsed = time.monotonic() - started
        if done.returncode != 0:
            raise RuntimeError(f"{kind}: reshard failed: {done.stdout[-1500:]}{done.stderr}")
        moved = int(_text(_cmd(b, "DBSIZE")))
        left = int(_text(_cmd(a, "DBSIZE")))
        return {
            "kind": kind,
            "slots": slots,
            "keys": stored,
            "moved": moved,
            "left": left,
            "seconds": round(elapsed, 2),
            "keys_per_second": round(moved / elapsed) if elapsed else 0,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--pipeline", type=int, default=10, help="keys per MIGRATE")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per kind")
    parser.add_argument("--json", action="store_true", help="print one JSON line per kind")
    opts = parser.parse_args(argv)
    if not 0 < opts.slots <= 8192 or opts.keys < opts.slots:
        parser.error("--slots must be 1..8192 and --keys at least --slots")
    results = []
    for kind in KINDS:
        result = measure(kind, opts.slots, opts.keys, opts.pipeline, opts.timeout)
        results.append(result)
        if opts.json:
            print(json.dumps(result), flush=True)
        else:
            print(
                f"{kind:>10}: moved {result['moved']} keys in {opts.slots} slots "
                f"in {result['seconds']} s ({result['keys_per_second']} keys/s), "
                f"{result['left']} left on the source",
                flush=True,
            )
    ours, theirs = results[1]["seconds"], results[0]["seconds"]
    assert isinstance(ours, float) and isinstance(theirs, float)
    if not opts.json and theirs:
        print(f"splitbrain / redis-server: {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
