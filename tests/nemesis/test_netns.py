"""harness.netns on the real kernel: layout, failure rollback, leftovers by prefix."""

from __future__ import annotations

import os
import subprocess

import pytest
from pyroute2 import netns

from harness.netns import (
    HostNetwork,
    NetworkError,
    destroy_leftovers,
    find_leftovers,
    free_subnet,
)
from tests.nemesis.conftest import needs_root

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
