"""Names fixed by the way the harness builds a node's network namespace.

The harness creates them (``harness/netns.py``); the nemesis filters and shapes traffic
on them (``nemesis/netfilter.py``, ``nemesis/cleanup.py``).
"""

from __future__ import annotations

from typing import Final

NODE_IFNAME: Final = "eth0"
"""The interface inside every node namespace: the node's end of its veth pair."""
