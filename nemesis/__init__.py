"""Nemesis: faults (partitions, crashes, pauses, cluster faults), scheduled, recorded, healed.

Public surface for the harness: :data:`FAULTS` and :func:`parse_faults` (``--nemesis``),
:class:`NemesisOptions`, :func:`build_package` -> :class:`NemesisPackage` (its
``nemesis``, ``schedule(rng, time_limit_s)`` and ``final_ops()``), :class:`ScheduledOp`,
and :func:`cleanup_leftovers` for ``harness cleanup``; :func:`preflight` (can these
faults run on this host?) and :func:`with_settings` (``--nemesis-option NAME=VALUE``).
See docs/nemesis.md.
"""

from nemesis.catalog import FAULTS, SPECS, TARGETS, FaultSpec, parse_faults
from nemesis.cleanup import cleanup_leftovers
from nemesis.clock import ClockControlled, FaketimeFiles
from nemesis.errors import FaultFailed, NemesisError, UnsupportedFault
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
    "Nemesis",
    "NemesisError",
    "NemesisOptions",
    "NemesisPackage",
    "ScheduledOp",
    "UnsupportedFault",
    "build_package",
    "cleanup_leftovers",
    "netem_missing",
    "parse_faults",
    "preflight",
    "with_settings",
]
