"""Nemesis: faults (partitions, crashes, pauses, cluster faults), scheduled, recorded, healed.

Public surface for the harness: :data:`FAULTS` and :func:`parse_faults` (``--nemesis``),
:data:`SPECS` (every fault's :class:`FaultSpec`: its part, needs, heal stage, options)
and :func:`needing` (which of the requested faults need a :class:`Need`),
:class:`NemesisOptions`, :func:`build_package` -> :class:`NemesisPackage` (its
``nemesis``, ``schedule(rng, time_limit_s)`` and ``final_ops()``), :class:`ScheduledOp`,
and :func:`cleanup_leftovers` for ``harness cleanup``; :func:`preflight` (can these
faults run on this host?) and :func:`with_settings` (``--nemesis-option NAME=VALUE``).
See docs/nemesis.md.
"""

from nemesis.catalog import FAULTS, SPECS, TARGETS, needing, needs, parse_faults, specs_of
from nemesis.cleanup import cleanup_leftovers
from nemesis.clock import ClockControlled, FaketimeFiles
from nemesis.errors import FaultFailed, NemesisError, UnsupportedFault
from nemesis.faultspec import FaultSpec, Heal, Need
from nemesis.netfilter import netem_missing
from nemesis.options import NemesisOptions, with_settings
from nemesis.package import CompositeNemesis, NemesisPackage, build_package
from nemesis.preflight import preflight
from nemesis.protocol import FaultEnv, Nemesis
from nemesis.schedule import ScheduledOp

__all__ = [
    "FAULTS",
    "SPECS",
    "TARGETS",
    "ClockControlled",
    "CompositeNemesis",
    "FaketimeFiles",
    "FaultEnv",
    "FaultFailed",
    "FaultSpec",
    "Heal",
    "Need",
    "Nemesis",
    "NemesisError",
    "NemesisOptions",
    "NemesisPackage",
    "ScheduledOp",
    "UnsupportedFault",
    "build_package",
    "cleanup_leftovers",
    "needing",
    "needs",
    "netem_missing",
    "parse_faults",
    "preflight",
    "specs_of",
    "with_settings",
]
