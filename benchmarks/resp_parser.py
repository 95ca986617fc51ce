"""Request parsing speed: our RESP parser against hiredis's Reader (why the connection
hands whole, well-formed reads to hiredis).

    .venv/bin/python -m benchmarks.resp_parser [--batches 20000]
"""

from __future__ import annotations

import argparse
import sys
import time

import hiredis

from nodes.resp.parser import RequestParser

SET = b"*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n"
GET = b"*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n"


def _ours(data: bytes, batches: int) -> float:
    start = time.perf_counter()
    for _ in range(batches):
        parser = RequestParser()
        parser.feed(data)
        while parser.gets() is not None:
            pass
    return time.perf_counter() - start


def _hiredis(data: bytes, batches: int) -> float:
    start = time.perf_counter()
    for _ in range(batches):
        reader = hiredis.Reader()
        reader.feed(data)
        while reader.gets() is not False:
            pass
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20_000)
    args = parser.parse_args(argv)
    for pipeline in (1, 16):
        data = (SET + GET) * pipeline
        commands = 2 * pipeline * args.batches
        ours = min(_ours(data, args.batches) for _ in range(3)) / commands * 1e6
        theirs = min(_hiredis(data, args.batches) for _ in range(3)) / commands * 1e6
        print(
            f"pipeline {pipeline:2}: ours {ours:.2f} us/command, hiredis {theirs:.2f} "
            f"us/command ({ours / theirs:.1f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
