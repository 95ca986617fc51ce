"""lossyfs: unsynced file data is held back and a power loss drops it.

The pure model is checked against a plain reference (two byte arrays: what is durable, what
a reader sees) on random sequences; the file system is mounted for real over /dev/fuse;
and a real redis-server runs on it: with ``appendfsync always`` a power loss keeps every
acknowledged write, with ``appendfsync no`` it loses them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from nemesis.lossyfs.control import LossyMount, fuse_problem, mounts_under
from nemesis.lossyfs.pages import PendingFile
from tests.support.servers import free_port, wait_until

# ---------- the model


class Reference:
    """What a disk behind a page cache holds: durable bytes and visible bytes."""

    def __init__(self, durable: bytes) -> None:
        self.durable = bytearray(durable)
        self.visible = bytearray(durable)

    def write(self, offset: int, data: bytes) -> None:
        if offset > len(self.visible):
            self.visible.extend(b"\0" * (offset - len(self.visible)))
        self.visible[offset : offset + len(data)] = data

    def truncate(self, size: int) -> None:
        if size < len(self.visible):
            del self.visible[size:]
        else:
            self.visible.extend(b"\0" * (size - len(self.visible)))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, 40), st.binary(min_size=1, max_size=12)),
        st.tuples(st.just("truncate"), st.integers(0, 50), st.just(b"")),
        st.tuples(st.just("flush"), st.just(0), st.just(b"")),
        st.tuples(st.just("drop"), st.just(0), st.just(b"")),
        st.tuples(st.just("read"), st.integers(0, 50), st.just(b"")),
    ),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=30), steps)
def test_pending_data_matches_the_reference(
    initial: bytes, ops: list[tuple[str, int, bytes]]
) -> None:
    ref = Reference(initial)
    disk = bytearray(initial)
    pending = PendingFile(durable_size=len(disk))

    def backing(offset: int, size: int) -> bytes:
        return bytes(disk[offset : offset + size])

    def disk_write(offset: int, data: bytes) -> None:
        if offset > len(disk):
            disk.extend(b"\0" * (offset - len(disk)))
        disk[offset : offset + len(data)] = data

    def disk_truncate(size: int) -> None:
        if size < len(disk):
            del disk[size:]
        else:
            disk.extend(b"\0" * (size - len(disk)))

    for now, (kind, n, data) in enumerate(ops):
        if kind == "write":
            pending.write(n, data, now)
            ref.write(n, data)
        elif kind == "truncate":
            pending.truncate(n, now)
            ref.truncate(n)
        elif kind == "flush":
            pending.flush(disk_write, disk_truncate)
            ref.durable = bytearray(ref.visible)
        elif kind == "drop":
            pending.drop()
            ref.visible = bytearray(ref.durable)
        else:
            assert pending.read(n, 17, backing) == bytes(ref.visible[n : n + 17])
        assert pending.size == len(ref.visible)
        assert pending.read(0, 1000, backing) == bytes(ref.visible)
        assert bytes(disk) == bytes(ref.durable)


# ---------- a real mount

pytestmark = pytest.mark.netns  # needs root (FUSE mounts)


def check_fuse() -> None:
    problem = fuse_problem()
    if problem is not None:
        pytest.fail(f"lossyfs cannot run here: {problem} (run make setup as root)")


def run_mounted(tmp_path: Path, scenario: Callable[[LossyMount], Awaitable[None]]) -> None:
    """Mount a lossyfs under ``tmp_path``, run ``scenario`` on it, always unmount."""
    check_fuse()
    mount = LossyMount(tmp_path / "backing", tmp_path / "mnt", tmp_path / "lossyfs.log")

    async def main() -> None:
        await mount.start()
        try:
            await scenario(mount)
        finally:
            await mount.stop()

    asyncio.run(main())
    assert mounts_under(tmp_path) == []


def test_unsynced_writes_are_dropped_synced_ones_stay(tmp_path: Path) -> None:
    async def scenario(m: LossyMount) -> None:
        synced = m.mount / "synced"
        unsynced = m.mount / "unsynced"
        fd = os.open(synced, os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, b"durable")
        os.fsync(fd)
        os.write(fd, b" and then not")
        os.close(fd)
        unsynced.write_bytes(b"gone after the power loss")
        # A reader sees everything before the loss; the backing folder only what was synced.
        assert synced.read_bytes() == b"durable and then not"
        assert unsynced.stat().st_size == len(b"gone after the power loss")
        assert (m.backing / "synced").read_bytes() == b"durable"
        lost, files = await m.drop()
        assert (lost, files) == (len(b" and then not") + len(b"gone after the power loss"), 2)
        assert synced.read_bytes() == b"durable"
        assert unsynced.read_bytes() == b""  # created (metadata is durable), data lost

    run_mounted(tmp_path, scenario)


def test_write_fsync_rename_survives(tmp_path: Path) -> None:
    async def scenario(m: LossyMount) -> None:
        temp = m.mount / "temp-dump.rdb"
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
        os.write(fd, b"REDIS0010...")
        os.fsync(fd)
        os.close(fd)
        os.rename(temp, m.mount / "dump.rdb")
        (m.mount / "dir").mkdir()
        (m.mount / "dir" / "f").write_bytes(b"x")
        await m.drop()
        assert (m.mount / "dump.rdb").read_bytes() == b"REDIS0010..."
        assert sorted(p.name for p in m.mount.iterdir()) == ["dir", "dump.rdb"]
        assert (m.mount / "dir" / "f").read_bytes() == b""

    run_mounted(tmp_path, scenario)


def test_clean_stop_flushes(tmp_path: Path) -> None:
    async def scenario(m: LossyMount) -> None:
        (m.mount / "f").write_bytes(b"page cache written back at shutdown")

    run_mounted(tmp_path, scenario)
    assert (tmp_path / "backing" / "f").read_bytes() == b"page cache written back at shutdown"


def test_bad_folder_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "nemesis.lossyfs", str(tmp_path / "not-a-folder"),
         str(tmp_path), "--control", "@x"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 254
    assert done.stderr.strip().endswith("not-a-folder: not a folder")
    assert "Traceback" not in done.stderr


# ---------- redis-server on a lossyfs


def start_redis(folder: Path, port: int, appendfsync: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--appendonly", "yes", "--appendfsync", appendfsync, "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def answers() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            return bool(redis.Redis(port=port, socket_timeout=2).ping())
        except redis.ConnectionError:
            return False

    wait_until(answers, 20, "redis-server on the lossyfs to answer")
    return proc


def sigkill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.redis
@pytest.mark.parametrize(("appendfsync", "keeps"), [("always", True), ("no", False)])
def test_redis_power_loss(tmp_path: Path, appendfsync: str, keeps: bool) -> None:
    port = free_port()
    started: list[subprocess.Popen[bytes]] = []

    async def scenario(m: LossyMount) -> None:
        try:
            started.append(start_redis(m.mount, port, appendfsync))
            client = redis.Redis(port=port, socket_timeout=10)
            for i in range(200):
                client.set(f"k{i}", i)
            sigkill(started[-1])
            lost, _ = await m.drop()
            started.append(start_redis(m.mount, port, appendfsync))
            kept = redis.Redis(port=port, socket_timeout=10).dbsize()
            assert isinstance(kept, int)
        finally:
            for proc in started:
                sigkill(proc)
        if keeps:
            assert kept == 200, f"appendfsync always lost {200 - kept} acknowledged writes"
        else:
            assert lost > 0
            assert kept < 200, "appendfsync no kept every write through a power loss"

    run_mounted(tmp_path, scenario)
