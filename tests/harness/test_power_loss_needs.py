"""Which host needs kill-power has depends on the database, in one place
(:attr:`harness.dbs.cluster_spec.ClusterSpec.provided_needs`): splitbrain-server drops
unsynced writes itself (its fsync ledger), redis-server needs a lossyfs (FUSE)."""

from __future__ import annotations

import os

import pytest

import nemesis
from harness.dbs.cluster_spec import ClusterSpec
from harness.faults import check_faults_possible
from harness.options import BadArguments
from nemesis.lossyfs.control import fuse_problem

FAULTS = ["kill-power-one", "kill-power-all"]


def test_the_cluster_spec_says_who_provides_the_lossy_disk() -> None:
    assert ClusterSpec(db="splitbrain").provided_needs == {nemesis.Need.LOSSY_DISK}
    assert ClusterSpec(db="splitbrain").nodes_drop_unsynced
    assert ClusterSpec(db="redis").provided_needs == frozenset()
    assert not ClusterSpec(db="redis").nodes_drop_unsynced
    assert all(nemesis.Need.LOSSY_DISK in nemesis.SPECS[f].needs for f in FAULTS)


def test_preflight_asks_the_host_for_fuse_only_where_the_nodes_do_not_provide_it() -> None:
    prefix = f"sbt{os.urandom(3).hex()}"
    provided = ClusterSpec(db="splitbrain").provided_needs
    assert nemesis.preflight(FAULTS, prefix, provided=provided) == []
    check_faults_possible(FAULTS, "splitbrain", prefix)  # never refused: no FUSE needed
    reason = fuse_problem()
    problems = nemesis.preflight(FAULTS, prefix)
    if reason is None:
        assert problems == []
        check_faults_possible(FAULTS, "redis", prefix)
    else:
        assert problems == [
            "fault 'kill-power' needs node data on a FUSE file system that drops unsynced "
            f"writes, which this machine cannot mount: {reason}"
        ]
        with pytest.raises(BadArguments, match="FUSE file system"):
            check_faults_possible(FAULTS, "redis", prefix)
