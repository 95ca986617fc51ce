"""harness.netns on the real kernel: layout, failure rollback, leftovers by prefix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyroute2 import netns

from harness.netns import (
    SUBNET_LOCK,
    HostNetwork,
    NetworkError,
    create_in_pool,
    destroy_leftovers,
    find_leftovers,
    free_subnet,
    subnet_lock,
)
from tests.nemesis.conftest import needs_root
from tests.support.servers import wait_until

pytestmark = pytest.mark.netns


def fresh_prefix() -> str:
    return f"sbt{os.urandom(3).hex()}"


def test_layout_addresses_and_exec(network):
    left = find_leftovers(network.prefix)
    assert left.namespaces == tuple(sorted(a.netns for a in network.addresses))
    assert left.bridges == (network.bridge,) and len(left.veths) == 5
    ips = [a.ip for a in network.addresses]
    assert len(set(ips)) == 5 and network.bridge_ip not in ips
    shown = subprocess.run(
        network.exec_argv("n3", ["ip", "-brief", "addr"]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert network.address("n3").ip in shown and "lo" in shown


def test_destroy_is_idempotent_and_exact():
    needs_root()
    prefix = fresh_prefix()
    net = HostNetwork(prefix, ["a", "b"], free_subnet("10.78.0.0/16"))
    net.create()
    net.destroy()
    net.destroy()
    assert find_leftovers(prefix).empty


def test_create_refuses_names_in_use_and_touches_nothing():
    needs_root()
    prefix = fresh_prefix()
    netns.create(f"{prefix}-b")  # the second namespace's name is taken
    try:
        net = HostNetwork(prefix, ["a", "b", "c"], free_subnet("10.78.0.0/16"))
        with pytest.raises(NetworkError, match=f"already in use: {prefix}-b"):
            net.create()
        left = find_leftovers(prefix)
        assert left.bridges == () and left.veths == ()
        assert left.namespaces == (f"{prefix}-b",), "a namespace we did not make was removed"
    finally:
        netns.remove(f"{prefix}-b")
    assert find_leftovers(prefix).empty


def test_a_routed_subnet_is_refused(network):
    other = HostNetwork(fresh_prefix(), ["a"], str(network.subnet))
    with pytest.raises(NetworkError, match="overlaps"):
        other.create()
    assert find_leftovers(other.prefix).empty


def test_destroy_leftovers_removes_everything_with_the_prefix():
    needs_root()
    prefix = fresh_prefix()
    HostNetwork(prefix, ["x", "y", "z"], free_subnet("10.78.0.0/16")).create()
    removed = destroy_leftovers(prefix)
    assert f"{prefix}-x" in removed and f"{prefix}br" in removed
    assert find_leftovers(prefix).empty


@pytest.mark.parametrize(
    ("prefix", "names", "subnet", "message"),
    [
        ("SB", ["a"], "10.78.0.0/24", "network prefix"),
        ("sbtoolongprefix", ["a"], "10.78.0.0/24", "network prefix"),
        ("sbok", [], "10.78.0.0/24", "no node names"),
        ("sbok", ["a", "a"], "10.78.0.0/24", "duplicate"),
        ("sbok", ["a", "b"], "10.78.0.0/31", "too small"),
        ("sbok", ["a"], "10.78.0.1/24", "subnet"),
    ],
)
def test_bad_arguments_are_named(prefix, names, subnet, message):
    with pytest.raises(ValueError, match=message):
        HostNetwork(prefix, names, subnet)


def waiting_on_lock() -> set[int]:
    """pids blocked in flock on the subnet lock file (``->`` lines of /proc/locks)."""
    path = SUBNET_LOCK if SUBNET_LOCK.parent.is_dir() else Path("/tmp") / SUBNET_LOCK.name
    inode = path.stat().st_ino
    pids = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 6 and fields[1] == "->" and fields[6].endswith(f":{inode}"):
            pids.add(int(fields[5]))
    return pids


CLAIM = """
import sys
from harness.netns import create_in_pool
net = create_in_pool(sys.argv[1], ["a", "b"], sys.argv[2])
print(net.subnet, flush=True)
sys.stdin.readline()  # hold the network until the test has seen both
net.destroy()
"""


def test_concurrent_runs_get_distinct_subnets(tmp_path):
    """Two processes that pick a subnet from the same pool at the same moment: the lock
    makes the second see the first's bridge. Both wait on one start signal (a lock we
    hold) so that they really race."""
    needs_root()
    prefixes = [fresh_prefix(), fresh_prefix()]
    pool = f"10.79.{os.urandom(1)[0] & 0xF0}.0/20"
    root = Path(__file__).resolve().parents[2]
    procs: list[subprocess.Popen[str]] = []
    try:
        with subnet_lock():  # both block on it, then run back to back
            for prefix in prefixes:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-c", CLAIM, prefix, pool],
                        cwd=root,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                )
            pids = {p.pid for p in procs}
            wait_until(lambda: waiting_on_lock() >= pids, 30, "both processes at the lock")
            for prefix in prefixes:
                assert find_leftovers(prefix).empty
        subnets = []
        for proc in procs:
            assert proc.stdout is not None
            subnets.append(proc.stdout.readline().strip())
        assert all(subnets) and subnets[0] != subnets[1], subnets
        for prefix in prefixes:
            assert len(find_leftovers(prefix).namespaces) == 2
    finally:
        for proc in procs:
            proc.communicate("\n", timeout=30)
        for prefix in prefixes:
            destroy_leftovers(prefix)
    assert all(proc.returncode == 0 for proc in procs)


def test_create_in_pool_skips_a_subnet_in_use(network):
    """A pool whose first /24 is this fixture's subnet: the next one is chosen."""
    prefix = fresh_prefix()
    pool = str(network.subnet.supernet(new_prefix=23))
    net = create_in_pool(prefix, ["a"], pool)
    try:
        assert not net.subnet.overlaps(network.subnet)
        assert net.subnet.subnet_of(network.subnet.supernet(new_prefix=23))
    finally:
        net.destroy()
    assert find_leftovers(prefix).empty
