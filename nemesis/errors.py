"""The nemesis package's exceptions, named for whose fault they are."""

from __future__ import annotations


class NemesisError(Exception):
    """Base of every error the nemesis raises."""


class UnsupportedFault(NemesisError):
    """A requested fault cannot run here (the kernel lacks netem, the DB cannot be killed,
    nodes are not in namespaces...). The message names the fault and the reason; the
    harness should report it as a usage problem before the run starts."""


class FaultFailed(NemesisError):
    """Injecting or healing a fault failed (a command errored, a cut did not hold)."""
