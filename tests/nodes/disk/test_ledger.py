"""The fsync ledger and the power-loss plan (pure), and the layer writing real files in a
temporary directory (the ledger's lines after each operation, a power loss applied)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from nodes.disk import LEDGER_FILE, Disk, Ledger
from nodes.disk.ledger import render, replay
from nodes.disk.power_loss import Cut, after, lose_power, plan


def _lines(*entries: dict[str, object]) -> list[str]:
    return [json.dumps(e) for e in entries]


def test_replay_folds_created_synced_renamed_removed() -> None:
    state = replay(
        _lines(
            {"op": "created", "file": "a"},
            {"op": "synced", "file": "a", "length": 10},
            {"op": "created", "file": "tmp"},
            {"op": "renamed", "from": "tmp", "to": "b", "length": 7},
            {"op": "created", "file": "c"},
            {"op": "created", "file": "d"},
            {"op": "removed", "file": "d"},
        )
    )
    assert state == {"a": 10, "b": 7, "c": None}


def test_replay_skips_a_torn_last_line() -> None:
    lines = _lines({"op": "synced", "file": "a", "length": 3})
    assert replay([*lines, '{"op": "synced", "fi']) == {"a": 3}


def test_plan_cuts_back_to_durable_and_removes_never_synced() -> None:
    durable = {"aof": 100, "new": None, "gone": 5, "short": 50, "same": 9}
    sizes = {"aof": 140, "new": 12, "short": 20, "same": 9, "untracked": 1000}
    cuts = plan(durable, sizes)
    assert cuts == [Cut("aof", 100, 40), Cut("new", None, 12)]
    assert after(durable, sizes) == {"aof": 100, "short": 20, "same": 9}


def test_render_replays_to_the_same_state(rng: random.Random) -> None:
    state: dict[str, int | None] = {
        f"f{i}": (None if rng.random() < 0.3 else rng.randrange(10**6)) for i in range(20)
    }
    assert replay(render(state).splitlines()) == state


def test_layer_records_fsynced_lengths_and_power_loss_drops_the_rest(tmp_path: Path) -> None:
    disk = Disk(Ledger(tmp_path))
    aof = tmp_path / "x.aof"
    fd = disk.open_append(aof)
    disk.write(fd, b"A" * 100)
    disk.fsync(fd, data_only=True)
    disk.write(fd, b"B" * 30)  # acknowledged under everysec, not yet synced
    never = tmp_path / "never"
    fd2 = disk.create(never)
    disk.write(fd2, b"lost")
    disk.write_atomically(tmp_path / "nodes.conf", tmp_path / ".tmp", lambda f: f.write(b"conf"))
    (tmp_path / "user.conf").write_bytes(b"not the layer's")
    os.close(fd2)
    os.close(fd)
    loss = lose_power(tmp_path)
    assert loss.lost_bytes == 34, loss
    assert "34 unsynced bytes in 2 files" in loss.describe()
    assert aof.read_bytes() == b"A" * 100
    assert not never.exists()
    assert (tmp_path / "nodes.conf").read_bytes() == b"conf"
    assert (tmp_path / "user.conf").read_bytes() == b"not the layer's"
    assert replay((tmp_path / LEDGER_FILE).read_text().splitlines()) == {
        "x.aof": 100,
        "nodes.conf": 4,
    }
    assert lose_power(tmp_path).lost_bytes == 0  # a second loss finds nothing unsynced


def test_unlink_and_no_ledger(tmp_path: Path) -> None:
    plain = Disk()
    fd = plain.create(tmp_path / "f")
    plain.write(fd, b"x")
    plain.fsync(fd)
    plain.close(fd)
    assert not (tmp_path / LEDGER_FILE).exists()
    assert lose_power(tmp_path).cuts == ()  # no ledger: nothing is known, nothing changes
    disk = Disk(Ledger(tmp_path))
    fd = disk.create(tmp_path / "g")
    disk.close(fd)
    disk.unlink(tmp_path / "g")
    disk.unlink(tmp_path / "g", missing_ok=True)
    assert replay((tmp_path / LEDGER_FILE).read_text().splitlines()) == {}


def test_truncate_is_durable_at_the_new_length(tmp_path: Path) -> None:
    disk = Disk(Ledger(tmp_path))
    fd = disk.open_append(tmp_path / "a.aof")
    disk.write(fd, b"0123456789")
    disk.fsync(fd)
    disk.close(fd)
    disk.truncate(tmp_path / "a.aof", 4)  # the load's repair of a torn tail
    assert replay((tmp_path / LEDGER_FILE).read_text().splitlines()) == {"a.aof": 4}
    assert lose_power(tmp_path).lost_bytes == 0
    assert (tmp_path / "a.aof").read_bytes() == b"0123"
