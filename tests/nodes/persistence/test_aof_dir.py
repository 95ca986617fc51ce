"""The multi-part AOF as redis 7.0 lays it out: redis-check-aof accepts our
appendonlydir, redis-server 7.0 loads it (RDB and command bases), ours loads one
redis-server wrote, BGREWRITEAOF switches base and incr files, a redis 6 single file
is upgraded, and a bad manifest or file stops the start with one clear line."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nodes.aof import encode_command
from tests.nodes.persistence.conftest import (
    check_aof,
    connect,
    fill,
    needs_redis_tools,
    snapshot,
)
from tests.support.servers import redis_server, splitbrain_server, wait_until

pytestmark = [pytest.mark.redis, needs_redis_tools]
AOF = ("--appendonly", "yes", "--appendfsync", "always")
MANIFEST = "appendonly.aof.manifest"


def _manifest(workdir: Path) -> str:
    return (workdir / "appendonlydir" / MANIFEST).read_text()


def _rewrite_done(client: Any) -> bool:
    return bool(client.info("persistence")["aof_rewrite_in_progress"] == 0)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_checks_and_loads_our_appendonlydir(
    tmp_path: Path, rng: random.Random, preamble: str
):
    ours = splitbrain_server(
        tmp_path / "ours", args=(*AOF, "--aof-use-rdb-preamble", preamble)
    ).start()
    try:
        client = connect(ours.port)
        fill(client, rng)
        assert client.bgrewriteaof() is True
        client.rpush("l:small", "after the rewrite")
        client.zincrby("z:small", 2.5, "m1")
        client.delete("s:short")
        want = snapshot(client)
    finally:
        ours.stop()
    suffix = "rdb" if preamble == "yes" else "aof"
    assert _manifest(tmp_path / "ours") == (
        f"file appendonly.aof.2.base.{suffix} seq 2 type b\n"
        "file appendonly.aof.2.incr.aof seq 2 type i\n"
    )
    names = sorted(p.name for p in (tmp_path / "ours" / "appendonlydir").iterdir())
    assert names == [f"appendonly.aof.2.base.{suffix}", "appendonly.aof.2.incr.aof", MANIFEST]
    check = check_aof(tmp_path / "ours" / "appendonlydir" / MANIFEST)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "All AOF files and manifest are valid" in check.stdout
    (tmp_path / "theirs").mkdir()
    shutil.copytree(tmp_path / "ours" / "appendonlydir", tmp_path / "theirs" / "appendonlydir")
    theirs = redis_server(tmp_path / "theirs", args=("--appendonly", "yes")).start()
    try:
        assert snapshot(connect(theirs.port)) == want
    finally:
        theirs.stop()


def test_ours_loads_a_redis_appendonlydir(tmp_path: Path, rng: random.Random):
    theirs = redis_server(tmp_path / "theirs", args=("--appendonly", "yes")).start()
    try:
        client = connect(theirs.port)
        fill(client, rng)
        client.bgrewriteaof()
        wait_until(lambda: _rewrite_done(client), 30, "redis's AOF rewrite")
        client.set("after", "rewrite")
        client.lpush("l:small", "head")
        want = snapshot(client)
    finally:
        theirs.stop()
    (tmp_path / "ours").mkdir()
    shutil.copytree(tmp_path / "theirs" / "appendonlydir", tmp_path / "ours" / "appendonlydir")
    ours = splitbrain_server(tmp_path / "ours", args=AOF).start()
    try:
        assert snapshot(connect(ours.port)) == want
    finally:
        ours.stop()


def test_a_redis6_single_file_is_moved_in_as_the_base(tmp_path: Path):
    tmp_path.mkdir(exist_ok=True)
    old = encode_command([b"SET", b"a", b"1"]) + encode_command([b"RPUSH", b"l", b"x"])
    (tmp_path / "appendonly.aof").write_bytes(old)
    ours = splitbrain_server(tmp_path, args=AOF).start()
    try:
        client = connect(ours.port)
        assert client.get("a") == b"1"
        client.set("b", "2")
    finally:
        ours.stop()
    assert not (tmp_path / "appendonly.aof").exists()
    assert _manifest(tmp_path) == (
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    assert check_aof(tmp_path / "appendonlydir" / MANIFEST).returncode == 0
    ours = splitbrain_server(tmp_path, args=AOF).start()
    try:
        assert connect(ours.port).mget("a", "b") == [b"1", b"2"]
    finally:
        ours.stop()


def _start_fails(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nodes", "--port", "0", "--dir", str(workdir), *AOF],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _layout(workdir: Path, manifest: str, files: dict[str, bytes]) -> None:
    directory = workdir / "appendonlydir"
    directory.mkdir(parents=True)
    (directory / MANIFEST).write_text(manifest)
    for name, data in files.items():
        (directory / name).write_bytes(data)


SET_A = encode_command([b"SET", b"a", b"1"])
BAD_LAYOUTS = [
    ("", {}, "Found an empty AOF manifest"),
    ("file x seq 1\n", {}, "Invalid AOF manifest file format"),
    ("file ../x seq 1 type i\n", {}, "File can't be a path"),
    ("file a seq 2 type i\nfile b seq 1 type i\n", {}, "non-monotonic sequence number"),
    ("file a seq 1 type b\nfile b seq 1 type b\n", {}, "duplicate base file"),
    ("file a seq 1 type z\n", {}, "Unknown AOF file type"),
    ("file missing.aof seq 1 type i\n", {}, "missing.aof doesn't exist"),
    (
        "file b.aof seq 1 type b\nfile i.aof seq 1 type i\n",
        {"b.aof": SET_A[:-3], "i.aof": SET_A},
        "Unexpected end of file reading the append only file",
    ),
    (
        "file b.rdb seq 1 type b\nfile i.aof seq 1 type i\n",
        {"b.rdb": b"REDIS0010\xfa", "i.aof": SET_A},
        "Bad RDB part of the append only file",
    ),
]


@pytest.mark.parametrize(
    ("manifest", "files", "what"), BAD_LAYOUTS, ids=[w for _, _, w in BAD_LAYOUTS]
)
def test_a_bad_layout_refuses_to_start_with_one_line(
    tmp_path: Path, manifest: str, files: dict[str, bytes], what: str
):
    _layout(tmp_path, manifest, files)
    run = _start_fails(tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert what in lines[0], lines[0]
    assert "appendonlydir" in lines[0], lines[0]
