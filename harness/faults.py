"""The nemesis side of ``harness run``: the preflight check that every requested fault
can run on this host (made before any node starts, so that an impossible fault is a bad
argument, exit 254, not a failure half-way through a run), and following the nemesis's
schedule on the run's clock. (The ``--nemesis-option`` settings are applied once, in
:func:`harness.options.from_args`.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import nemesis
from base.op import Op
from harness.dbs.cluster_spec import ClusterError, ClusterSpec
from harness.options import BadArguments


def server_version_argv(db: str) -> list[str] | None:
    """The node binary asked for its version (what the clock preflight runs under
    libfaketime); None if the binary is missing (the run reports that itself)."""
    try:
        return [*ClusterSpec(db=db).binary(), "--version"]
    except ClusterError:
        return None


def check_faults_possible(faults: Sequence[str], db: str, prefix: str) -> None:
    """Raise :class:`BadArguments` listing every fault that cannot run on this host
    (:func:`nemesis.preflight`: netem for delay / duplicate, nft and root for network
    faults, libfaketime for clock, FUSE for kill-power unless the database's nodes drop
    unsynced writes themselves: :attr:`ClusterSpec.provided_needs`). ``prefix`` names
    the scratch namespace it may use."""
    if not faults:
        return
    problems = nemesis.preflight(
        list(faults), prefix, server_version_argv(db), provided=ClusterSpec(db=db).provided_needs
    )
    if problems:
        raise BadArguments(f"--nemesis {','.join(faults)}: " + "; ".join(problems))


async def follow_schedule(
    plan: Sequence[nemesis.ScheduledOp],
    *,
    start: float,
    time_limit_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[bool]],
    perform: Callable[[Op], Awaitable[None]],
) -> None:
    """Perform each planned op at ``start + at_s`` on ``clock``, in order. An op planned
    after the time limit is dropped; one planned exactly at it (the plan closes every
    fault it started by the limit at the latest) still runs. ``sleep(seconds)`` returns
    False when the run is interrupted: then the rest is left to the final heal."""
    for item in plan:
        if item.at_s > time_limit_s:
            break
        if not await sleep(start + item.at_s - clock()):
            return
        await perform(item.op)
