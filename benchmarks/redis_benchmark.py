"""redis-benchmark against redis-server 7.0 and splitbrain-server, alternately, in one run.

    .venv/bin/python -m benchmarks.redis_benchmark [--requests 100000] [--rounds 2]

Starts both servers on free ports (stopped by pid), runs ``redis-benchmark -c 50`` (its
set, get, lpush, lpop, sadd, hset and zadd tests, then XADD and EVALSHA of a small script)
unpipelined and with ``-P 16`` against each in turn, and prints the throughput of each
and the splitbrain/redis ratios (SET/GET targets: >= 0.8 unpipelined, >= 0.4 pipelined).
Every run is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"unpipelined": 0.8, "pipelined": 0.4}
"""Ratio floors for SET and GET (the drop-in issue's); the other tests are reported."""

TESTS = ("SET", "GET", "LPUSH", "LPOP", "SADD", "HSET", "ZADD")
"""redis-benchmark 7.0's own tests; XADD and EVALSHA run as given commands."""

COMMANDS = {
    "XADD": ["XADD", "bench:stream", "MAXLEN", "~", "10000", "*", "field", "value"],
    "EVALSHA": ["EVALSHA", "{sha}", "1", "bench:counter:__rand_int__"],
}

SCRIPT = "return redis.call('incr', KEYS[1])"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ping(port: int, proc: subprocess.Popen[bytes], deadline_s: float = 15.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise TimeoutError(f"server on port {port} did not answer PING within {deadline_s}s")


def _start(argv: list[str], port: int, workdir: Path) -> subprocess.Popen[bytes]:
    log = open(workdir / f"server-{port}.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    _wait_ping(port, proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _bench(
    bench: str, port: int, requests: int, pipeline: int, *, timeout_s: float, sha: str
) -> dict[str, float]:
    common = [bench, "-h", "127.0.0.1", "-p", str(port), "-c", "50", "-n", str(requests)]
    common += ["-P", str(pipeline), "--csv"]
    runs: list[tuple[str | None, list[str]]] = [
        (None, [*common, "-t", ",".join(t.lower() for t in TESTS)])
    ]
    runs += [(name, [*common, *(a.format(sha=sha) for a in cmd)]) for name, cmd in COMMANDS.items()]
    result: dict[str, float] = {}
    for label, argv in runs:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=True)
        for row in csv.reader(io.StringIO(out.stdout)):
            if len(row) >= 2 and row[0] != "test":
                result[label or row[0].upper()] = float(row[1])
    return result


def _load_script(port: int) -> str:
    """SCRIPT LOAD of :data:`SCRIPT` on the server at ``port``; its sha1."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        body = SCRIPT.encode()
        conn.sendall(b"*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$%d\r\n%s\r\n" % (len(body), body))
        reply = conn.recv(100)
    return reply.split(b"\r\n")[1].decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="cap per redis-benchmark run (s)"
    )
    args = parser.parse_args(argv)
    redis = shutil.which("redis-server")
    bench = shutil.which("redis-benchmark")
    if redis is None or bench is None:
        print("redis-server and redis-benchmark are needed (make setup)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
        workdir = Path(tmp)
        rport, sport = _free_port(), _free_port()
        servers = {
            "redis": _start(
                [
                    redis,
                    "--port",
                    str(rport),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                rport,
                workdir,
            ),
        }
        try:
            servers["splitbrain"] = _start(
                [
                    sys.executable,
                    "-m",
                    "nodes",
                    "--port",
                    str(sport),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    tmp,
                ],
                sport,
                workdir,
            )
            ports = {"redis": rport, "splitbrain": sport}
            shas = {name: _load_script(port) for name, port in ports.items()}
            samples: dict[tuple[str, str, str], list[float]] = {}
            for _ in range(args.rounds):
                for mode, pipeline in (("unpipelined", 1), ("pipelined", 16)):
                    for name in ("redis", "splitbrain"):
                        got = _bench(
                            bench,
                            ports[name],
                            args.requests,
                            pipeline,
                            timeout_s=args.timeout,
                            sha=shas[name],
                        )
                        for test, rps in got.items():
                            samples.setdefault((name, mode, test), []).append(rps)
        finally:
            for proc in servers.values():
                _stop(proc)
    ok = True
    for mode, target in TARGETS.items():
        for test in (*TESTS, *COMMANDS):
            ours = statistics.median(samples[("splitbrain", mode, test)])
            theirs = statistics.median(samples[("redis", mode, test)])
            ratio = ours / theirs
            floor = target if test in ("SET", "GET") else None
            ok &= floor is None or ratio >= floor
            print(
                f"{mode:12} {test:8}: splitbrain {ours:10.0f} rps  redis {theirs:10.0f} rps  "
                f"ratio {ratio:.2f}" + (f" (target {floor})" if floor is not None else "")
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
