"""Packet faults inside node namespaces: nftables for drops, tc netem for delay.

Each node namespace gets at most one nftables table, ``inet <table>`` (the run prefix,
e.g. ``inet sb4f2a``), holding one input chain per active fault (``partition``, ``loss``,
``flap``). Every rule matches only packets arriving on the node's veth (``eth0``) and
never the harness's bridge address, so loopback traffic and the clients are never cut.
Stopping a fault deletes its chain; healing everything deletes the table. Every script
is one nft transaction (all or nothing) and idempotent (``add`` before ``delete``).

Delay and duplication need the kernel's ``sch_netem`` qdisc; :func:`netem_missing` says
why it is unavailable (or None), so the nemesis can refuse those faults clearly.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence

from base.hostnet import NODE_IFNAME

CHAINS = ("partition", "loss", "flap")
NAMESPACE_MATCH = f'iifname "{NODE_IFNAME}"'
"""Which packets a rule may drop in a node namespace: those arriving on its veth."""
HOST_MATCH = 'iifname != "lo"'
"""On a machine of its own (an SSH host): anything but loopback (its interfaces are not
ours to name)."""
_TABLE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


class FirewallError(RuntimeError):
    """An nft or tc command failed: the message names the command, ``detail`` holds the
    first line of its stderr."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message


def check_table_name(table: str) -> str:
    if not _TABLE_RE.match(table):
        raise ValueError(f"nftables table name {table!r}: want letters, digits, _")
    return table


def _chain_head(table: str, chain: str) -> list[str]:
    return [
        f"add table inet {table}",
        f"add chain inet {table} {chain} {{ type filter hook input priority 0; policy accept; }}",
        f"flush chain inet {table} {chain}",
    ]


def drop_from_script(table: str, peers: Iterable[str], match: str = NAMESPACE_MATCH) -> str:
    """Drop every packet from ``peers`` (IPv4 addresses) that ``match`` selects; an empty
    set clears the chain."""
    ips = sorted(set(peers))
    lines = _chain_head(table, "partition")
    if ips:
        lines.append(
            f"add rule inet {table} partition {match} ip saddr {{ {', '.join(ips)} }} drop"
        )
    return "\n".join(lines) + "\n"


def loss_script(table: str, percent: int, keep: str, match: str = NAMESPACE_MATCH) -> str:
    """Drop ``percent``% of the packets from anybody but ``keep`` (the harness)."""
    if not 0 <= percent <= 100:
        raise ValueError(f"packet loss {percent}%: want 0..100")
    lines = _chain_head(table, "loss")
    lines.append(
        f"add rule inet {table} loss {match} ip saddr != {keep} "
        f"numgen random mod 100 < {percent} drop"
    )
    return "\n".join(lines) + "\n"


def flap_script(table: str, down: bool, keep: str, match: str = NAMESPACE_MATCH) -> str:
    """While ``down``, drop every packet from anybody but ``keep``; else pass all."""
    lines = _chain_head(table, "flap")
    if down:
        lines.append(f"add rule inet {table} flap {match} ip saddr != {keep} drop")
    return "\n".join(lines) + "\n"


def delete_chain_script(table: str, chain: str) -> str:
    return "\n".join([*_chain_head(table, chain), f"delete chain inet {table} {chain}"]) + "\n"


def delete_table_script(table: str) -> str:
    return f"add table inet {table}\ndelete table inet {table}\n"


def in_netns(netns: str, argv: Sequence[str]) -> list[str]:
    return ["ip", "netns", "exec", netns, *argv]


async def run(argv: Sequence[str], stdin: str | None = None, timeout_s: float = 10.0) -> str:
    """Run a command; return its stdout; raise :class:`FirewallError` with its stderr."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(timeout_s):
            out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise FirewallError(f"{' '.join(argv)}: no answer in {timeout_s}s") from None
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        detail = lines[0] if lines else f"exit {proc.returncode}"
        raise FirewallError(f"{' '.join(argv)}: {detail}", detail)
    return out.decode(errors="replace")


async def nft(netns: str, script: str) -> None:
    """Apply an nft script inside ``netns`` as one transaction."""
    await run(in_netns(netns, ["nft", "-f", "-"]), stdin=script)


async def list_tables(netns: str) -> list[str]:
    """The ``inet`` (and other family) table names in ``netns``, as ``family name``."""
    out = await run(in_netns(netns, ["nft", "list", "tables"]))
    return [line.removeprefix("table ").strip() for line in out.splitlines() if line.strip()]


async def netem_missing(netns: str, dev: str = "lo") -> str | None:
    """None if netem works in ``netns`` (probed on ``dev`` and removed at once), else why."""
    try:
        await run(
            in_netns(netns, ["tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", "1ms"])
        )
    except FirewallError as e:
        return f"tc says: {e.detail}"
    except FileNotFoundError:
        return "tc (iproute2) is not installed"
    await run(in_netns(netns, ["tc", "qdisc", "del", "dev", dev, "root"]))
    return None


async def netem(netns: str, args: Sequence[str]) -> None:
    """Replace the root qdisc of the node's veth with ``netem ARGS`` (delay, duplicate)."""
    await run(
        in_netns(netns, ["tc", "qdisc", "replace", "dev", NODE_IFNAME, "root", "netem", *args])
    )


async def netem_clear(netns: str) -> None:
    """Remove a netem qdisc from the node's veth; no error if there is none."""
    try:
        await run(in_netns(netns, ["tc", "qdisc", "del", "dev", NODE_IFNAME, "root"]))
    except FirewallError as e:
        if "No such file" not in str(e) and "Cannot delete qdisc with handle of zero" not in str(e):
            raise
