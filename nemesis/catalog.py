"""Every fault the nemesis knows, one :class:`~nemesis.faultspec.FaultSpec` each: its
name (``--nemesis``), family, the ``f`` of the history events that start and stop it,
the part that runs it, what it needs, when it heals and the options it reads.

An invocation's value is always the fault's name (``"partition-minority"``,
``"kill-primaries"``); its completion's value says what was actually done (the grudge,
the nodes killed, the slots moved).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from base.db import HasPrimaries, Killable, Pausable, PowerLossable
from nemesis.clock import ClockControlled, ClockNemesis
from nemesis.cluster import ClusterNemesis
from nemesis.faultspec import FaultSpec, Heal, Need
from nemesis.grudge import PARTITIONS
from nemesis.network import NetworkNemesis
from nemesis.process import ProcessNemesis

TARGETS: Final = ("one", "minority", "majority", "all", "primaries", "replicas")
"""Which nodes a process fault hits, chosen from the live topology at the time."""

POWER_TARGETS: Final = ("one", "minority", "primaries", "all")
"""Whom a power loss hits (a subset of :data:`TARGETS`)."""

_NETNS: Final = frozenset({Need.NETNS})
_NETEM: Final = frozenset({Need.NETNS, Need.NETEM})
_PROBES: Final = ("verify", "probe_timeout_s", "topology_timeout_s", "table")


def _network(family: str, summary: str, needs: frozenset[Need], *opts: str) -> FaultSpec:
    return FaultSpec(
        family,
        family,
        f"start-{family}",
        f"stop-{family}",
        NetworkNemesis,
        heal=Heal.NETWORK,
        needs=needs,
        options=(*opts, "table"),
        summary=summary,
    )


def _specs() -> dict[str, FaultSpec]:
    specs: dict[str, FaultSpec] = {}
    for name, builder in PARTITIONS.items():
        doc = (builder.__doc__ or "").strip().splitlines()[0]
        specs[name] = FaultSpec(
            name,
            "partition",
            "start-partition",
            "stop-partition",
            NetworkNemesis,
            heal=Heal.NETWORK,
            needs=_NETNS,
            options=_PROBES,
            summary=doc,
        )
    for spec in (
        _network(
            "packet-loss",
            "Every node drops a share of the packets from its peers (nftables numgen).",
            _NETNS,
            "packet_loss_percent",
        ),
        _network(
            "flap",
            "One node loses its peers (not the clients) on and off every flap period.",
            _NETNS,
            "flap_period_s",
        ),
        _network(
            "delay",
            "Delay every node's outgoing packets (needs the kernel's netem).",
            _NETEM,
            "delay_ms",
            "delay_jitter_ms",
        ),
        _network(
            "duplicate",
            "Duplicate a share of every node's packets (needs the kernel's netem).",
            _NETEM,
            "duplicate_percent",
        ),
    ):
        specs[spec.name] = spec
    process = (
        ("kill", "restart", Heal.RESTART, Killable),
        ("pause", "resume", Heal.RESUME, Pausable),
    )
    for verb, stop, heal, ability in process:
        for name, target, summary in (
            (verb, "one", f"Same as {verb}-one."),
            *(
                (
                    f"{verb}-{t}",
                    t,
                    f"{verb.capitalize()} {t} (live roles); {stop} them at the stop.",
                )
                for t in TARGETS
            ),
        ):
            specs[name] = FaultSpec(
                name,
                verb,
                f"start-{verb}",
                f"stop-{verb}",
                ProcessNemesis,
                heal=heal,
                abilities=(ability,),
                options=("topology_timeout_s",),
                target=target,
                summary=summary,
            )
    for name, target in (
        ("kill-power", "one"),
        *((f"kill-power-{t}", t) for t in POWER_TARGETS),
    ):
        specs[name] = FaultSpec(
            name,
            "kill-power",
            "start-kill-power",
            "stop-kill-power",
            ProcessNemesis,
            heal=Heal.RESTART,
            needs=frozenset({Need.LOSSY_DISK}),
            abilities=(Killable, PowerLossable),
            options=("topology_timeout_s",),
            target=target,
            summary=(
                f"Power loss on {target} (live roles): SIGKILL and drop every write not yet "
                "fsynced; restart them at the stop."
            ),
        )
    for mode in ("default", "force", "takeover"):
        name = "failover" if mode == "default" else f"failover-{mode}"
        suffix = "" if mode == "default" else f" {mode.upper()}"
        specs[name] = FaultSpec(
            name,
            "failover",
            "failover",
            None,
            ClusterNemesis,
            abilities=(HasPrimaries,),
            options=("failover_wait_s", "topology_timeout_s", "command_timeout_s"),
            target=mode,
            summary=f"CLUSTER FAILOVER{suffix} on a random replica.",
        )
    specs["reshard"] = FaultSpec(
        "reshard",
        "reshard",
        "reshard",
        None,
        ClusterNemesis,
        abilities=(HasPrimaries,),
        options=(
            "reshard_slots",
            "reshard_keys_per_batch",
            "topology_timeout_s",
            "command_timeout_s",
        ),
        summary="Move a few slots (and their keys) between two primaries with MIGRATE.",
    )
    specs["clock"] = FaultSpec(
        "clock",
        "clock",
        "start-clock",
        "stop-clock",
        ClockNemesis,
        heal=Heal.CLOCK,
        needs=frozenset({Need.FAKETIME}),
        abilities=(ClockControlled,),
        options=("clock_offset_s",),
        summary="Skew a minority's clocks by +-clock_offset_s (needs nodes under libfaketime).",
    )
    specs["restart-all"] = FaultSpec(
        "restart-all",
        "restart-all",
        "restart-all",
        None,
        ProcessNemesis,
        abilities=(Killable,),
        summary="SIGKILL every node, then start them all again.",
    )
    return specs


SPECS: Final[Mapping[str, FaultSpec]] = _specs()
"""The catalog: ``--nemesis`` name -> its spec, in documentation order. Every function
that takes a ``catalog`` defaults to this one (tests pass their own, with extra faults)."""
FAULTS: Final[tuple[str, ...]] = tuple(SPECS)
"""Every accepted ``--nemesis`` name, in documentation order."""


def parse_faults(spec: str, catalog: Mapping[str, FaultSpec] = SPECS) -> list[str]:
    """``"partition-minority,kill"`` -> the fault names, in order, without duplicates.

    Raises ``ValueError`` naming the unknown name (and the accepted ones). ``"none"`` or
    an empty string means no faults.
    """
    names: list[str] = []
    for raw in spec.split(","):
        name = raw.strip().lower()
        if not name or name == "none":
            continue
        if name not in catalog:
            known = ", ".join(catalog)
            raise ValueError(f"unknown nemesis fault {raw.strip()!r}; known: {known}")
        if name not in names:
            names.append(name)
    return names


def specs_of(faults: Iterable[str], catalog: Mapping[str, FaultSpec] = SPECS) -> list[FaultSpec]:
    """The specs of ``faults`` in catalog order (the order parts are set up and faults are
    reported in, whatever order they were asked for). ``ValueError`` for an unknown name."""
    wanted = set(faults)
    unknown = sorted(wanted - set(catalog))
    if unknown:
        raise ValueError(f"unknown nemesis fault {unknown[0]!r}")
    return [spec for name, spec in catalog.items() if name in wanted]


def needs(faults: Iterable[str], catalog: Mapping[str, FaultSpec] = SPECS) -> frozenset[Need]:
    """Everything ``faults`` need from the host, together."""
    return frozenset(n for spec in specs_of(faults, catalog) for n in spec.needs)


def needing(
    need: Need, faults: Iterable[str], catalog: Mapping[str, FaultSpec] = SPECS
) -> list[str]:
    """The names among ``faults`` that need ``need``, in the order given."""
    return [f for f in faults if need in catalog[f].needs]
