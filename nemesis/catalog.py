"""Every fault the nemesis knows: its name (``--nemesis``), family, and the ``f`` of the
history events that start and stop it.

An invocation's value is always the fault's name (``"partition-minority"``,
``"kill-primaries"``); its completion's value says what was actually done (the grudge,
the nodes killed, the slots moved).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from nemesis.grudge import PARTITIONS


class Family(enum.Enum):
    PARTITION = "partition"
    PACKET_LOSS = "packet-loss"
    FLAP = "flap"
    DELAY = "delay"
    DUPLICATE = "duplicate"
    KILL = "kill"
    PAUSE = "pause"
    FAILOVER = "failover"
    RESHARD = "reshard"
    CLOCK = "clock"
    RESTART_ALL = "restart-all"


TARGETS: Final = ("one", "minority", "majority", "all", "primaries", "replicas")
"""Which nodes a process fault hits, chosen from the live topology at the time."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """``stop_f`` None means a one-shot fault (failover, reshard, restart-all)."""

    name: str
    family: Family
    start_f: str
    stop_f: str | None
    target: str | None = None
    """For kill / pause: one of :data:`TARGETS`. For failover: the mode."""
    summary: str = ""


def _specs() -> dict[str, FaultSpec]:
    specs: dict[str, FaultSpec] = {}
    for name, builder in PARTITIONS.items():
        doc = (builder.__doc__ or "").strip().splitlines()[0]
        specs[name] = FaultSpec(
            name, Family.PARTITION, "start-partition", "stop-partition", summary=doc
        )
    specs["packet-loss"] = FaultSpec(
        "packet-loss",
        Family.PACKET_LOSS,
        "start-packet-loss",
        "stop-packet-loss",
        summary="Every node drops a share of the packets from its peers (nftables numgen).",
    )
    specs["flap"] = FaultSpec(
        "flap",
        Family.FLAP,
        "start-flap",
        "stop-flap",
        summary="One node loses its peers (not the clients) on and off every flap period.",
    )
    specs["delay"] = FaultSpec(
        "delay",
        Family.DELAY,
        "start-delay",
        "stop-delay",
        summary="Delay every node's outgoing packets (needs the kernel's netem).",
    )
    specs["duplicate"] = FaultSpec(
        "duplicate",
        Family.DUPLICATE,
        "start-duplicate",
        "stop-duplicate",
        summary="Duplicate a share of every node's packets (needs the kernel's netem).",
    )
    for family, verb, stop in ((Family.KILL, "kill", "restart"), (Family.PAUSE, "pause", "resume")):
        specs[verb] = FaultSpec(
            verb,
            family,
            f"start-{verb}",
            f"stop-{verb}",
            target="one",
            summary=f"Same as {verb}-one.",
        )
        for target in TARGETS:
            name = f"{verb}-{target}"
            specs[name] = FaultSpec(
                name,
                family,
                f"start-{verb}",
                f"stop-{verb}",
                target=target,
                summary=f"{verb.capitalize()} {target} (live roles); {stop} them at the stop.",
            )
    for mode in ("default", "force", "takeover"):
        name = "failover" if mode == "default" else f"failover-{mode}"
        suffix = "" if mode == "default" else f" {mode.upper()}"
        specs[name] = FaultSpec(
            name,
            Family.FAILOVER,
            "failover",
            None,
            target=mode,
            summary=f"CLUSTER FAILOVER{suffix} on a random replica.",
        )
    specs["reshard"] = FaultSpec(
        "reshard",
        Family.RESHARD,
        "reshard",
        None,
        summary="Move a few slots (and their keys) between two primaries with MIGRATE.",
    )
    specs["clock"] = FaultSpec(
        "clock",
        Family.CLOCK,
        "start-clock",
        "stop-clock",
        summary="Skew a minority's clocks by +-clock_offset_s (needs nodes under libfaketime).",
    )
    specs["restart-all"] = FaultSpec(
        "restart-all",
        Family.RESTART_ALL,
        "restart-all",
        None,
        summary="SIGKILL every node, then start them all again.",
    )
    return specs


SPECS: Final[Mapping[str, FaultSpec]] = _specs()
FAULTS: Final[tuple[str, ...]] = tuple(SPECS)
"""Every accepted ``--nemesis`` name, in documentation order."""


def parse_faults(spec: str) -> list[str]:
    """``"partition-minority,kill"`` -> the fault names, in order, without duplicates.

    Raises ``ValueError`` naming the unknown name (and the accepted ones). ``"none"`` or
    an empty string means no faults.
    """
    names: list[str] = []
    for raw in spec.split(","):
        name = raw.strip().lower()
        if not name or name == "none":
            continue
        if name not in SPECS:
            raise ValueError(f"unknown nemesis fault {raw.strip()!r}; known: {', '.join(FAULTS)}")
        if name not in names:
            names.append(name)
    return names
