"""Replication throughput and WAIT latency: splitbrain-server vs redis-server 7.0, side by side.

    .venv/bin/python -m benchmarks.replication_bench [--writes 20000] [--waits 300] [--rounds 2]

For each kind, in alternation: a master and one replica on free ports (stopped by pid).

- throughput: ``--writes`` SETs sent pipelined (batches of 100) to the master; the clock
  stops when the replica's processed offset reaches the master's offset. Writes/s
  streamed to the replica.
- WAIT latency: ``--waits`` times ``SET`` + ``WAIT 1 1000`` on one connection (the pair
  sent together); median and p99 of the round trip, and how many WAITs saw the ack.

Everything is bounded in count and time (60 s per phase).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import hiredis

from tests.support.servers import ServerProcess, redis_server, splitbrain_server

PHASE_LIMIT_S = 60.0


def _encode(*args: str | bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        out += [b"$%d\r\n" % len(data), data, b"\r\n"]
    return b"".join(out)


class Conn:
    """A minimal blocking RESP connection (hiredis parses the replies)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = hiredis.Reader()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def replies(self, count: int) -> list[object]:
        got: list[object] = []
        while len(got) < count:
            reply = self.reader.gets()
            if reply is False:
                data = self.sock.recv(1 << 16)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.reader.feed(data)
                continue
            got.append(reply)
        return got

    def call(self, *args: str | bytes) -> object:
        self.send(_encode(*args))
        return self.replies(1)[0]

    def close(self) -> None:
        self.sock.close()


def _info_int(conn: Conn, field: str) -> int:
    text = conn.call("INFO", "replication")
    assert isinstance(text, bytes)
    for line in text.decode().splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise KeyError(field)


def _until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PHASE_LIMIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.002)


def _pair(kind: str, root: Path) -> tuple[ServerProcess, ServerProcess]:
    make = splitbrain_server if kind == "splitbrain" else redis_server
    extra = ("--repl-diskless-sync-delay", "0") if kind == "redis" else ()
    master = make(root / f"{kind}-m", args=extra).start()
    replica = make(root / f"{kind}-r").start()
    conn = Conn(replica.port)
    try:
        conn.call("REPLICAOF", "127.0.0.1", str(master.port))
        _until(lambda: b"master_link_status:up" in _raw_info(conn), "the replica link")
    finally:
        conn.close()
    return master, replica


def _raw_info(conn: Conn) -> bytes:
    text = conn.call("INFO", "replication")
    assert isinstance(text, bytes)
    return text


def throughput(master: ServerProcess, replica: ServerProcess, writes: int) -> float:
    m, r = Conn(master.port), Conn(replica.port)
    try:
        value = b"x" * 32
        batches = [
            (
                b"".join(_encode("SET", f"key:{i}", value) for i in range(base, base + size)),
                size,
            )
            for base in range(0, writes, 100)
            for size in [min(100, writes - base)]
        ]
        start = time.monotonic()
        for data, size in batches:  # encoded beforehand: the client is not what we time
            m.send(data)
            m.replies(size)
            if time.monotonic() - start > PHASE_LIMIT_S:
                raise TimeoutError("throughput phase over its time limit")
        target = _info_int(m, "master_repl_offset")
        _until(lambda: _info_int(r, "master_repl_offset") >= target, "the replica to catch up")
        return writes / (time.monotonic() - start)
    finally:
        m.close()
        r.close()


def wait_latency(master: ServerProcess, count: int) -> tuple[float, float, int]:
    m = Conn(master.port)
    try:
        times: list[float] = []
        acked = 0
        deadline = time.monotonic() + PHASE_LIMIT_S
        for i in range(count):
            start = time.perf_counter()
            m.send(_encode("SET", "waited", str(i)) + _encode("WAIT", "1", "1000"))
            _, n = m.replies(2)
            times.append(time.perf_counter() - start)
            acked += n == 1
            if time.monotonic() > deadline:
                break
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        return statistics.median(times) * 1000, p99 * 1000, acked
    finally:
        m.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=20000)
    parser.add_argument("--waits", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.writes < 1 or args.waits < 1 or args.rounds < 1:
        print("replication_bench: --writes, --waits and --rounds must be >= 1", file=sys.stderr)
        return 2
    results: dict[str, list[tuple[float, float, float, int]]] = {"splitbrain": [], "redis": []}
    with tempfile.TemporaryDirectory(prefix="repl-bench-") as tmp:
        for round_no in range(args.rounds):
            for kind in ("redis", "splitbrain"):
                master, replica = _pair(kind, Path(tmp) / f"round{round_no}")
                try:
                    tput = throughput(master, replica, args.writes)
                    median, p99, acked = wait_latency(master, args.waits)
                finally:
                    replica.stop()
                    master.stop()
                results[kind].append((tput, median, p99, acked))
                print(
                    f"round {round_no} {kind:10s} stream {tput:9.0f} writes/s   "
                    f"SET+WAIT median {median:6.3f} ms p99 {p99:6.3f} ms "
                    f"(acked {acked}/{args.waits})",
                    flush=True,
                )
    print("\nbest of rounds:")
    for kind, rows in results.items():
        print(
            f"  {kind:10s} stream {max(r[0] for r in rows):9.0f} writes/s   "
            f"SET+WAIT median {min(r[1] for r in rows):6.3f} ms "
            f"p99 {min(r[2] for r in rows):6.3f} ms"
        )
    ratio = max(r[0] for r in results["splitbrain"]) / max(r[0] for r in results["redis"])
    print(f"  splitbrain/redis stream throughput ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
