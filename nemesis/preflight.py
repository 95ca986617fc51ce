"""Checks a run can make before starting any node: is every requested fault possible on
this host? So that ``harness run --nemesis delay`` fails at once with a clear reason
(exit 254) instead of after the cluster is up."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from pyroute2 import netns

from base.faketime import libfaketime
from nemesis.catalog import SPECS, Family
from nemesis.clock import faketime_problem

NETWORK = {Family.PARTITION, Family.PACKET_LOSS, Family.FLAP, Family.DELAY, Family.DUPLICATE}


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
    faults: Sequence[str], prefix: str, server_argv: Sequence[str] | None = None
) -> list[str]:
    """One line per requested fault that cannot run here (empty: all fine). ``prefix``
    names the scratch namespace (``f"{prefix}-netem"``) so leftovers stay findable;
    ``server_argv`` (e.g. ``["redis-server", "--version"]``) is the node binary, checked
    to run under libfaketime when ``clock`` is requested."""
    families = {SPECS[f].family for f in faults}
    problems: list[str] = []
    network = sorted(f.value for f in families & NETWORK)
    if network:
        if os.geteuid() != 0:
            problems.append(f"faults {', '.join(network)} need root (network namespaces, nft)")
            return problems
        if shutil.which("nft") is None:
            problems.append(f"faults {', '.join(network)} need nft (Debian package nftables)")
    netem = [f.value for f in (Family.DELAY, Family.DUPLICATE) if f in families]
    reason = netem_problem(f"{prefix}-netem") if netem else None
    for name in netem if reason else ():
        problems.append(
            f"fault '{name}' needs the kernel's netem qdisc (sch_netem), which this kernel "
            f"lacks ({reason}); packet-loss and flap work without it"
        )
    if Family.CLOCK in families:
        if libfaketime() is None:
            problems.append("fault 'clock' needs libfaketime (Debian package faketime)")
        elif server_argv is not None:
            reason = faketime_problem(server_argv)
            if reason is not None:
                problems.append(f"fault 'clock' needs nodes under libfaketime: {reason}")
    return problems
