"""Slot sets, the compact range text, and nodes.conf parsing / saving / locking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodes.cluster import nodes_conf
from nodes.cluster import slots as slotset
from nodes.cluster.wire import NodeFlag


@given(st.sets(st.integers(0, 16383), max_size=300))
def test_ranges_round_trip(slots):
    mask = slotset.mask_of(slots)
    rebuilt: set[int] = set()
    for start, end in slotset.ranges(mask):
        rebuilt.update(range(start, end + 1))
    assert rebuilt == slots
    assert slotset.count(mask) == len(slots)
    assert list(slotset.iter_slots(mask)) == sorted(slots)


def test_format_ranges_compact():
    mask = slotset.range_mask(0, 5460) | slotset.mask_of([5462, 16383])
    assert slotset.format_ranges(mask) == ["0-5460", "5462", "16383"]


ME = "a" * 40
OTHER = "b" * 40
SAMPLE = (
    f"{ME} 127.0.0.1:7000@17000 myself,master - 0 0 3 connected 0-100 200 [300->-{OTHER}]\n"
    f"{OTHER} 127.0.0.1:7001@17001,host-b slave {ME} 0 1700000000000 3 connected\n"
    "vars currentEpoch 5 lastVoteEpoch 4\n"
)


def test_parse_sample(tmp_path):
    conf = nodes_conf.parse(SAMPLE, tmp_path / "nodes.conf")
    assert conf.current_epoch == 5 and conf.last_vote_epoch == 4
    assert conf.myself is not None and conf.myself.node_id == ME
    me, other = conf.nodes
    assert me.slots == slotset.range_mask(0, 100) | slotset.mask_of([200])
    assert me.migrating == ((300, OTHER),)
    assert other.flags == NodeFlag.SLAVE and other.master_id == ME
    assert other.hostname == "host-b" and other.cport == 17001


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("garbage\n", 1),
        (SAMPLE.replace("0-100", "0-99999"), 1),
        (SAMPLE.replace("slave", "slavez"), 2),
        (SAMPLE.replace("currentEpoch 5", "currentEpoch x"), 3),
        (SAMPLE.replace("myself,", ""), 1),
    ],
)
def test_corrupt_names_file_and_line(tmp_path, text, line):
    path = tmp_path / "nodes.conf"
    with pytest.raises(nodes_conf.CorruptNodesConf) as info:
        nodes_conf.parse(text, path)
    assert info.value.line == line
    assert str(path) in str(info.value)


def test_save_is_atomic_and_load_round_trips(tmp_path):
    path = tmp_path / "nodes.conf"
    assert nodes_conf.load(path) is None
    nodes_conf.save(path, SAMPLE)
    assert path.read_text() == SAMPLE
    assert [p.name for p in tmp_path.iterdir()] == ["nodes.conf"]
    loaded = nodes_conf.load(path)
    assert loaded is not None and len(loaded.nodes) == 2


def test_lock_refuses_second_holder(tmp_path):
    path = tmp_path / "nodes.conf"
    first = nodes_conf.ConfigLock(path).acquire()
    try:
        with pytest.raises(nodes_conf.NodesConfLocked):
            nodes_conf.ConfigLock(path).acquire()
    finally:
        first.release()
    nodes_conf.ConfigLock(path).acquire().release()
