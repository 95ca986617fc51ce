"""What the nemesis knows about one fault, declared once on its :class:`FaultSpec`.

The entries themselves are in :mod:`nemesis.catalog`; the package (which parts to build),
the preflight (what the host must offer), the schedule (start, stop, the final heal) and
the harness (network faults need namespaces, the clock fault needs nodes under
libfaketime) all read them from there. Adding a fault is one spec and, unless an existing
part runs it, one part: a class with the :class:`nemesis.protocol.Nemesis` methods whose
constructor takes ``(options, specs)``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nemesis.options import NemesisOptions
from nemesis.protocol import Nemesis


class Need(enum.Enum):
    """What a fault needs from the host, checked before any node starts
    (:func:`nemesis.preflight.preflight`)."""

    NETNS = "netns"
    """Every node in its own network namespace: root, ``ip`` and ``nft`` (``--net netns``)."""
    NETEM = "netem"
    """The kernel's netem qdisc (``tc qdisc ... netem``)."""
    FAKETIME = "faketime"
    """Nodes started under libfaketime (the DB does it when a run asks for such a fault)."""
    LOSSY_DISK = "lossy-disk"
    """Node data that can lose unsynced writes: a file system that drops them
    (:mod:`nemesis.lossyfs`, FUSE; the DB mounts one per node when a run asks for such a
    fault), unless the database's nodes do it themselves (``harness.dbs.cluster_spec``
    ``SELF_PROVIDED``: splitbrain-server's fsync ledger)."""


class Heal(enum.IntEnum):
    """When a fault's stop runs in the final heal: the network first (so that the nodes
    can talk), then the clocks, then paused nodes resume, then killed ones restart."""

    NETWORK = 0
    CLOCK = 1
    RESUME = 2
    RESTART = 3


PartFactory = Callable[[NemesisOptions, Sequence["FaultSpec"]], Nemesis]
"""A part's constructor: the options, and the requested specs it runs (at least one)."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One ``--nemesis`` name.

    ``family`` groups the names that share ``start_f`` / ``stop_f`` (``kill-one`` and
    ``kill-all`` are family ``kill``). ``stop_f`` None makes it a one-shot fault
    (failover, reshard, restart-all) with nothing to heal; otherwise ``heal`` says when
    its stop runs in the final heal. ``part`` builds the nemesis that carries out its
    ``f``s (parts are shared: one instance for every requested spec with the same part).
    ``needs`` are the host's prerequisites, ``abilities`` the DB protocols
    (``base.db.Killable``...) the database must implement; ``options`` names the
    :class:`NemesisOptions` fields it reads. ``target`` is the part's argument (kill /
    pause targets, the failover mode).
    """

    name: str
    family: str
    start_f: str
    stop_f: str | None
    part: PartFactory
    heal: Heal | None = None
    needs: frozenset[Need] = frozenset()
    abilities: tuple[type, ...] = ()
    options: tuple[str, ...] = ()
    target: str | None = None
    summary: str = ""

    def __post_init__(self) -> None:
        if (self.stop_f is None) != (self.heal is None):
            raise ValueError(f"fault {self.name!r}: a stop_f needs a heal stage, and only it")
