"""``harness cleanup``'s part for faults: remove nftables tables (and netem qdiscs) that
a killed run left in namespaces whose names start with the prefix.

Synchronous on purpose: it runs from the command line with no event loop. Namespaces
themselves are removed afterwards by :func:`harness.netns.destroy_leftovers`.
"""

from __future__ import annotations

import subprocess

from pyroute2 import netns

from base.hostnet import NODE_IFNAME


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)


def cleanup_leftovers(prefix: str = "sb") -> list[str]:
    """Delete every nftables table whose name starts with ``prefix`` in every namespace
    whose name starts with ``prefix``, and any netem qdisc on the node's veth there.
    Returns what it removed (``"sb4f2a-n1: nft table inet sb4f2a"``)."""
    removed: list[str] = []
    for ns in sorted(n for n in netns.listnetns() if n.startswith(prefix)):
        listing = _run(["ip", "netns", "exec", ns, "nft", "list", "tables"])
        for line in listing.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "table" and parts[2].startswith(prefix):
                family, name = parts[1], parts[2]
                done = _run(["ip", "netns", "exec", ns, "nft", "delete", "table", family, name])
                if done.returncode == 0:
                    removed.append(f"{ns}: nft table {family} {name}")
        qdisc = _run(["ip", "netns", "exec", ns, "tc", "qdisc", "show", "dev", NODE_IFNAME])
        if "netem" in qdisc.stdout:
            done = _run(
                ["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", NODE_IFNAME, "root"]
            )
            if done.returncode == 0:
                removed.append(f"{ns}: netem qdisc on {NODE_IFNAME}")
    return removed
