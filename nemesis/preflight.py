"""Checks a run can make before starting any node: is every requested fault possible on
this host? So that ``harness run --nemesis delay`` fails at once with a clear reason
(exit 254) instead of after the cluster is up."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from pyroute2 import netns

from base.faketime import libfaketime
from nemesis.catalog import SPECS, specs_of
from nemesis.clock import faketime_problem
from nemesis.faultspec import FaultSpec, Need
from nemesis.lossyfs.control import fuse_problem


def netem_problem(scratch_netns: str) -> str | None:
    """None if ``tc ... netem`` works, else why; probed on ``lo`` of a scratch namespace
    that is created and removed here (never on the host's own interfaces)."""
    if shutil.which("tc") is None:
        return "tc (iproute2) is not installed"
    netns.create(scratch_netns)
    try:
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                scratch_netns,
                "tc",
                "qdisc",
                "add",
                "dev",
                "lo",
                "root",
                "netem",
                "delay",
                "1ms",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    finally:
        netns.remove(scratch_netns)
    if done.returncode != 0:
        return f"tc says: {done.stderr.strip() or f'exit {done.returncode}'}"
    return None


def preflight(
    faults: Sequence[str],
    prefix: str,
    server_argv: Sequence[str] | None = None,
    catalog: Mapping[str, FaultSpec] = SPECS,
    provided: frozenset[Need] = frozenset(),
) -> list[str]:
    """One line per requested fault that cannot run here (empty: all fine), from each
    spec's ``needs``. ``prefix`` names the scratch namespace (``f"{prefix}-netem"``) so
    leftovers stay findable; ``server_argv`` (e.g. ``["redis-server", "--version"]``) is
    the node binary, checked to run under libfaketime when a fault needs it. ``provided``
    are needs the database's nodes meet themselves (not checked on the host)."""
    specs = specs_of(faults, catalog)

    def families(need: Need) -> list[str]:
        if need in provided:
            return []
        return list(dict.fromkeys(s.family for s in specs if need in s.needs))

    problems: list[str] = []
    network = sorted(families(Need.NETNS))
    if network:
        if os.geteuid() != 0:
            problems.append(f"faults {', '.join(network)} need root (network namespaces, nft)")
            return problems
        if shutil.which("nft") is None:
            problems.append(f"faults {', '.join(network)} need nft (Debian package nftables)")
    netem = families(Need.NETEM)
    reason = netem_problem(f"{prefix}-netem") if netem else None
    for name in netem if reason else ():
        problems.append(
            f"fault '{name}' needs the kernel's netem qdisc (sch_netem), which this kernel "
            f"lacks ({reason}); packet-loss and flap work without it"
        )
    for name in families(Need.FAKETIME):
        if libfaketime() is None:
            problems.append(f"fault '{name}' needs libfaketime (Debian package faketime)")
        elif server_argv is not None:
            reason = faketime_problem(server_argv)
            if reason is not None:
                problems.append(f"fault '{name}' needs nodes under libfaketime: {reason}")
    lossy = families(Need.LOSSY_DISK)
    reason = fuse_problem() if lossy else None
    for name in lossy if reason else ():
        problems.append(
            f"fault '{name}' needs node data on a FUSE file system that drops unsynced "
            f"writes, which this machine cannot mount: {reason}"
        )
    return problems
