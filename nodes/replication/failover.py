"""FAILOVER: a coordinated failover from a standalone master to one of its replicas, as
redis 7.0 does it (``failoverCommand`` / ``updateFailoverStatus``).

The happy path:
1. FAILOVER pauses writes (client pause WRITE, purpose ``failover``): held, not refused.
2. Whenever a replica acknowledges (and once a second) the master looks for a replica,
   the named one or any, whose acked offset equals its own.
3. It then follows that replica (``failover-in-progress``) and its PSYNC carries a third
   argument, ``FAILOVER``: the replica, seeing its own replication id, turns master
   (``MASTER MODE enabled``) and answers the PSYNC, usually ``+CONTINUE``.
4. The PSYNC answered, the failover is over: the pause lifts, held writes run again and
   get ``-READONLY`` (or whatever the node now says).

``TIMEOUT ms`` ends the wait: the failover aborts, or with ``FORCE`` goes ahead to the
named replica anyway. ``FAILOVER ABORT`` (and a refused PSYNC) aborts: a master again if
it was already following, and the pause lifts. The states are INFO's
``master_failover_state`` values. Time comes from the server's clock; no global state.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nodes.client_pause import DURING_FAILOVER, WRITE
from nodes.errors import CommandError, SyntaxErr

if TYPE_CHECKING:
    import asyncio

    from nodes.replication.component import Replication
    from nodes.replication.primary import ReplicaLink

log = logging.getLogger("splitbrain.replication")

NO_FAILOVER = "no-failover"
WAITING_FOR_SYNC = "waiting-for-sync"
IN_PROGRESS = "failover-in-progress"


def _integer(arg: bytes) -> int:
    try:
        return int(arg)
    except ValueError:
        raise CommandError("value is not an integer or out of range") from None


class CoordinatedFailover:
    """One master's FAILOVER state (``server.failover_*`` in redis)."""

    def __init__(self, repl: Replication) -> None:
        self.repl = repl
        self.state = NO_FAILOVER
        self.host: str | None = None
        self.port = 0
        self.end_ms = 0
        """When the wait for a caught-up replica ends (0: TIMEOUT not given)."""
        self.force = False
        self._timer: asyncio.TimerHandle | None = None
        self._check_scheduled = False

    @property
    def in_progress(self) -> bool:
        """The master is following its target: PSYNC carries ``FAILOVER``."""
        return self.state == IN_PROGRESS

    # ---- the command -----------------------------------------------------------------
    def command(self, argv: list[bytes]) -> None:
        """FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: start (or abort), or
        raise redis's error."""
        if len(argv) == 2 and argv[1].lower() == b"abort":
            if self.state == NO_FAILOVER:
                raise CommandError("No failover in progress.")
            self.abort("Failover manually aborted")
            return
        timeout_ms = port = 0
        force = False
        host: str | None = None
        j = 1
        while j < len(argv):
            word = argv[j].lower()
            if word == b"timeout" and j + 1 < len(argv) and timeout_ms == 0:
                timeout_ms = _integer(argv[j + 1])
                if timeout_ms <= 0:
                    raise CommandError("FAILOVER timeout must be greater than 0")
                j += 2
            elif word == b"to" and j + 2 < len(argv) and host is None:
                port = _integer(argv[j + 2])
                host = argv[j + 1].decode(errors="replace")
                j += 3
            elif word == b"force" and not force:
                force = True
                j += 1
            else:
                raise SyntaxErr()
        repl = self.repl
        if self.state != NO_FAILOVER:
            raise CommandError("FAILOVER already in progress.")
        if repl.master is not None:
            raise CommandError("FAILOVER is not valid when server is a replica.")
        if not repl.primary.links:
            raise CommandError("FAILOVER requires connected replicas.")
        if force and (not timeout_ms or host is None):
            raise CommandError(
                "FAILOVER with force option requires both a timeout and target HOST and IP."
            )
        if host is not None:
            link = self._find(host, port)
            if link is None:
                raise CommandError("FAILOVER target HOST and PORT is not a replica.")
            if link.state != "online":
                raise CommandError("FAILOVER target replica is not online.")
            self.host, self.port = host, port
            log.info("FAILOVER requested to %s:%d.", host, port)
        else:
            log.info("FAILOVER requested to any replica.")
        server = repl.server
        now = server.clock_ms()
        if timeout_ms:
            self.end_ms = now + timeout_ms
            self._timer = server.loop.call_later(timeout_ms / 1000, self.check)
        self.force = force
        self.state = WAITING_FOR_SYNC
        server.client_pause.pause(WRITE, None, now, DURING_FAILOVER)

    def _find(self, host: str, port: int) -> ReplicaLink | None:
        """redis's ``findReplica``: by announced (or peer) address and listening port."""
        for link in self.repl.primary.live_links():
            if link.ip.lower() == host.lower() and link.port == port:
                return link
        return None

    # ---- progress --------------------------------------------------------------------
    def acked(self) -> None:
        """A replica acknowledged: check once this iteration is over (the failover
        disconnects replicas, which must not happen inside their own command)."""
        if self.state == WAITING_FOR_SYNC and not self._check_scheduled:
            self._check_scheduled = True
            self.repl.server.loop.call_soon(self.check)

    def check(self) -> None:
        """redis's ``updateFailoverStatus``: time out, or fail over to a caught-up replica."""
        self._check_scheduled = False
        if self.state != WAITING_FOR_SYNC:
            return
        repl = self.repl
        if self.end_ms and self.end_ms <= repl.server.clock_ms():
            if self.force and self.host is not None:
                log.info("FAILOVER to %s:%d time out exceeded, failing over.", self.host, self.port)
                self._fail_over()
            else:
                self.abort("Replica never caught up before timeout")
            return
        target = repl.offset
        link: ReplicaLink | None
        if self.host is not None:
            link = self._find(self.host, self.port)
        else:
            link = next((ln for ln in repl.primary.live_links() if ln.ack_offset == target), None)
            if link is not None:
                self.host, self.port = link.ip, link.port
        if link is not None and link.ack_offset == target:
            log.info("Failover target %s:%d is synced, failing over.", self.host, self.port)
            self._fail_over()

    def _fail_over(self) -> None:
        assert self.host is not None
        self.state = IN_PROGRESS
        self.repl.follow(self.host, self.port)

    def psync_answered(self, accepted: bool) -> None:
        """The target answered our ``PSYNC ... FAILOVER``: done, or aborted."""
        if self.state != IN_PROGRESS:
            return
        if accepted:
            self._clear()
        else:
            self.abort("Failover target rejected psync request")

    def abort(self, reason: str) -> None:
        """redis's ``abortFailover``: log, a master again if already following, unpause."""
        if self.state == NO_FAILOVER:
            return
        if self.host is not None:
            log.info("FAILOVER to %s:%d aborted: %s", self.host, self.port, reason)
        else:
            log.info("FAILOVER to any replica aborted: %s", reason)
        if self.state == IN_PROGRESS:
            self.repl.become_master()
        self._clear()

    def _clear(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.state = NO_FAILOVER
        self.host, self.port, self.end_ms, self.force = None, 0, 0, False
        self.repl.server.client_pause.unpause(DURING_FAILOVER)
