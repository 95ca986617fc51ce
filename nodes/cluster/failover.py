"""Replica election, voting, manual failover and replica migration (Redis 7.0 semantics).

A replica whose master is FAIL (and serves slots) waits ``500 ms + random(0..500) +
rank * 1000 ms`` (rank: sibling replicas with a larger replication offset), bumps
``currentEpoch`` and asks every master for a vote; with votes from a majority of
slot-owning masters it takes its master's slots at the election epoch. A master votes
at most once per epoch (``lastVoteEpoch`` is saved with fsync *before* the ACK leaves),
never twice for replicas of the same master within ``2 * node_timeout``, and only when
no claimed slot is owned at a higher config epoch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nodes.cluster import packets
from nodes.cluster.slots import iter_slots
from nodes.cluster.state import ClusterNode
from nodes.cluster.wire import (
    ClusterHealth,
    EmptyBody,
    Message,
    MessageFlag,
    MessageType,
    NodeFlag,
)

if TYPE_CHECKING:
    from nodes.cluster.engine import ClusterEngine

log = logging.getLogger("splitbrain.cluster")

MF_TIMEOUT_MS = 5000
MIGRATION_DELAY_MS = 5000


@dataclass(slots=True)
class Election:
    auth_time: int = 0
    auth_count: int = 0
    auth_sent: bool = False
    auth_rank: int = 0
    auth_epoch: int = 0


@dataclass(slots=True)
class ManualFailover:
    end: int = 0  # 0: none in progress
    can_start: bool = False
    replica: ClusterNode | None = None  # master side: who asked
    master_offset: int = -1  # replica side: the paused master's offset


class Failover:
    """The :class:`nodes.cluster.ports.FailoverHandler` of a real node."""

    def __init__(self, engine: ClusterEngine, data_age_ms: Callable[[], int]) -> None:
        self.engine = engine
        self.data_age_ms = data_age_ms
        self.election = Election()
        self.manual = ManualFailover()
        self.cant_reason = ""
        self.on_pause_change: Callable[[bool], None] = lambda paused: None
        """Master side of a manual failover: writes paused (True) or resumed (False)."""

    # ---- messages ------------------------------------------------------------------------
    def on_message(self, sender: ClusterNode, msg: Message) -> None:
        if msg.type is MessageType.FAILOVER_AUTH_REQUEST:
            self.vote(sender, msg)
        elif msg.type is MessageType.FAILOVER_AUTH_ACK:
            if (
                sender.is_master
                and sender.numslots > 0
                and msg.current_epoch >= self.election.auth_epoch
            ):
                self.election.auth_count += 1
                self.handle_replica_failover()
        elif msg.type is MessageType.MFSTART:
            if sender.master is not self.engine.myself:
                return
            self.reset_manual()
            now = self.engine.now()
            self.manual.end = now + MF_TIMEOUT_MS
            self.manual.replica = sender
            self.on_pause_change(True)
            log.info("Manual failover requested by replica %s.", sender.node_id)
            if sender.link is not None:
                self.engine.send_ping(sender.link, MessageType.PING)

    def on_master_ping(self, sender: ClusterNode, msg: Message) -> None:
        """Replica side: our paused master told us its offset (mflags PAUSED)."""
        me = self.engine.myself
        if (
            self.manual.end
            and me.is_replica
            and me.master is sender
            and msg.mflags & MessageFlag.PAUSED
            and self.manual.master_offset == -1
        ):
            self.manual.master_offset = msg.offset
            log.info(
                "Received replication offset for paused master manual failover: %d", msg.offset
            )
            self.handle_manual()

    @property
    def paused(self) -> bool:
        """Master side: writes are paused for a replica's manual failover."""
        return self.manual.end != 0 and self.manual.replica is not None

    # ---- voting (masters) -------------------------------------------------------------------
    def vote(self, node: ClusterNode, request: Message) -> None:
        engine = self.engine
        state = engine.state
        me = engine.myself
        master = node.master
        force = bool(request.mflags & MessageFlag.FORCEACK)
        if me.is_replica or me.numslots == 0:
            return
        if request.current_epoch < state.current_epoch:
            log.info(
                "Failover auth denied to %s: reqEpoch (%d) < curEpoch(%d)",
                node.node_id,
                request.current_epoch,
                state.current_epoch,
            )
            return
        if state.last_vote_epoch == state.current_epoch:
            log.info(
                "Failover auth denied to %s: already voted for epoch %d",
                node.node_id,
                state.current_epoch,
            )
            return
        if node.is_master or master is None or (not master.failed and not force):
            log.info("Failover auth denied to %s: not a replica of a failed master", node.node_id)
            return
        now = engine.now()
        if now - master.voted_time < engine.config.node_timeout * 2:
            log.info(
                "Failover auth denied to %s: voted for a replica of this master recently",
                node.node_id,
            )
            return
        for owner in {state.owners[s] for s in iter_slots(request.myslots)}:
            if owner is not None and owner.config_epoch > request.config_epoch:
                log.info(
                    "Failover auth denied to %s: a claimed slot has a newer epoch", node.node_id
                )
                return
        state.last_vote_epoch = state.current_epoch
        master.voted_time = now
        engine.save_now(fsync=True)  # the vote is durable before anyone can count it
        engine.send(node.link, engine.build(MessageType.FAILOVER_AUTH_ACK, EmptyBody()))
        log.info("Failover auth granted to %s for epoch %d", node.node_id, state.current_epoch)

    # ---- the election (replicas) -----------------------------------------------------------
    def rank(self) -> int:
        me = self.engine.myself
        master = me.master
        if master is None:
            return 0
        mine = self.engine.repl_offset
        return sum(
            1
            for r in master.replicas
            if r is not me and not r.flags & NodeFlag.NOFAILOVER and r.repl_offset > mine
        )

    def _cant(self, reason: str) -> None:
        if reason != self.cant_reason:
            self.cant_reason = reason
            log.info("Currently unable to failover: %s", reason)

    def handle_replica_failover(self) -> None:
        engine = self.engine
        state = engine.state
        me = engine.myself
        config = engine.config
        election = self.election
        now = engine.now()
        auth_age = now - election.auth_time
        needed = state.size // 2 + 1
        manual = self.manual.end != 0 and self.manual.can_start
        auth_timeout = max(config.node_timeout * 2, 2000)
        auth_retry = auth_timeout * 2
        master = me.master
        if (
            me.is_master
            or master is None
            or (not master.failed and not manual)
            or (config.replica_no_failover and not manual)
            or master.numslots == 0
        ):
            self.cant_reason = ""
            return
        data_age = self.data_age_ms()
        if data_age > config.node_timeout:
            data_age -= config.node_timeout
        limit = config.repl_ping_replica_period * 1000 + config.node_timeout * (
            config.replica_validity_factor
        )
        if config.replica_validity_factor and data_age > limit and not manual:
            self._cant("Disconnected from master for longer than allowed.")
            return
        if auth_age > auth_retry:
            election.auth_time = now + 500 + engine.rng.randrange(500)
            election.auth_count = 0
            election.auth_sent = False
            election.auth_rank = self.rank()
            election.auth_time += election.auth_rank * 1000
            if self.manual.end:
                election.auth_time = now
                election.auth_rank = 0
            log.info(
                "Start of election delayed for %d milliseconds (rank #%d, offset %d).",
                election.auth_time - now,
                election.auth_rank,
                engine.repl_offset,
            )
            self._pong_siblings()
            return
        if not election.auth_sent and not self.manual.end:
            new_rank = self.rank()
            if new_rank > election.auth_rank:
                election.auth_time += (new_rank - election.auth_rank) * 1000
                election.auth_rank = new_rank
        if now < election.auth_time:
            self._cant("Waiting the delay before I can start a new failover.")
            return
        if auth_age > auth_timeout:
            self._cant("Failover attempt expired.")
            return
        if not election.auth_sent:
            state.current_epoch += 1
            election.auth_epoch = state.current_epoch
            log.info("Starting a failover election for epoch %d.", state.current_epoch)
            flags = MessageFlag.FORCEACK if self.manual.end else MessageFlag.NONE
            request = engine.build(MessageType.FAILOVER_AUTH_REQUEST, EmptyBody())
            engine.broadcast(_with_mflags(request, flags))
            election.auth_sent = True
            engine.mark_dirty(fsync=True)
            return
        if election.auth_count >= needed:
            log.info("Failover election won: I'm the new master.")
            if me.config_epoch < election.auth_epoch:
                me.config_epoch = election.auth_epoch
                log.info("configEpoch set to %d after successful failover", me.config_epoch)
            self.replace_my_master()
        else:
            self._cant("Waiting for votes, but majority still not reached.")

    def _pong_siblings(self) -> None:
        engine = self.engine
        master = engine.myself.master
        for node in list(engine.state.nodes.values()):
            if node.link is None or node is engine.myself or node.in_handshake:
                continue
            if node.is_replica and node.master is master:
                engine.send_ping(node.link, MessageType.PONG)

    def replace_my_master(self) -> None:
        """Take the old master's slots and tell everybody (clusterFailoverReplaceYourMaster)."""
        engine = self.engine
        me = engine.myself
        old = me.master
        if me.is_master or old is None:
            return
        packets.set_node_as_master(engine, me)
        if engine.listener is not None:
            engine.listener.master_changed(None)
        engine.state.assign_mask(old.slots, me)
        engine.update_state()
        engine.save_now(fsync=True)
        engine.broadcast_pong()
        self.reset_manual()

    # ---- manual failover ---------------------------------------------------------------------
    def reset_manual(self) -> None:
        if self.manual.replica is not None:
            self.on_pause_change(False)
        self.manual = ManualFailover()

    def start_manual(self, *, force: bool, takeover: bool) -> None:
        """CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica (preconditions already checked)."""
        engine = self.engine
        self.reset_manual()
        self.manual.end = engine.now() + MF_TIMEOUT_MS
        master = engine.myself.master
        if takeover:
            log.info("Taking over the master (user request).")
            state = engine.state
            me = engine.myself
            if me.config_epoch == 0 or me.config_epoch != state.max_epoch():
                state.current_epoch += 1
                me.config_epoch = state.current_epoch
            self.replace_my_master()
        elif force:
            log.info("Forced failover user request accepted.")
            self.manual.can_start = True
        else:
            log.info("Manual failover user request accepted.")
            if master is not None:
                engine.send(master.link, engine.build(MessageType.MFSTART, EmptyBody()))

    def handle_manual(self) -> None:
        if self.manual.end == 0 or self.manual.can_start or self.manual.master_offset == -1:
            return
        # ">=": a replication PING fed after the pause makes the replica overtake the
        # announced offset, and everything up to it is what matters
        if self.engine.repl_offset >= self.manual.master_offset:
            self.manual.can_start = True
            log.info("All master replication stream processed, manual failover can start.")
            self.handle_replica_failover()

    # ---- replica migration -------------------------------------------------------------------
    def handle_migration(self) -> None:
        engine = self.engine
        state = engine.state
        me = engine.myself
        config = engine.config
        if not me.is_replica or not config.allow_replica_migration:
            return
        orphaned = max_ok = mine_ok = 0
        for node in state.nodes.values():
            if node.is_myself or node.flags & (NodeFlag.NOADDR | NodeFlag.HANDSHAKE):
                continue
            if node.is_master and not node.failed:
                ok = _ok_replicas(node)
                if ok == 0 and node.numslots > 0 and node.flags & NodeFlag.MIGRATE_TO:
                    orphaned += 1
                max_ok = max(max_ok, ok)
                if me.master is node:
                    mine_ok = ok
        if not (orphaned and max_ok >= 2 and mine_ok == max_ok):
            return
        if state.health is not ClusterHealth.OK or me.master is None:
            return
        ok_here = sum(
            1 for r in me.master.replicas if not r.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)
        )
        if ok_here <= config.migration_barrier:
            return
        now = engine.now()
        candidate = me
        target: ClusterNode | None = None
        for node in state.nodes.values():
            ok = _ok_replicas(node) if node.is_master else 0
            is_orphaned = (
                node.is_master
                and not node.failed
                and bool(node.flags & NodeFlag.MIGRATE_TO)
                and ok == 0
            )
            if is_orphaned:
                if target is None and node.numslots > 0:
                    target = node
                if not node.orphaned_time:
                    node.orphaned_time = now
            else:
                node.orphaned_time = 0
            if ok == max_ok:
                for replica in node.replicas:
                    if replica.node_id < candidate.node_id:
                        candidate = replica
        if (
            target is not None
            and candidate is me
            and now - target.orphaned_time > MIGRATION_DELAY_MS
        ):
            log.info("Migrating to orphaned master %s", target.node_id)
            packets.set_my_master(engine, target)
            self.reset_manual()

    # ---- the tick ----------------------------------------------------------------------------
    def cron(self) -> None:
        if self.manual.end and self.manual.end < self.engine.now():
            log.info("Manual failover timed out.")
            self.reset_manual()
        replica = self.manual.replica
        if self.manual.end and replica is not None and replica.link is not None:
            # master side: keep telling the replica our (paused) offset
            self.engine.send_ping(replica.link, MessageType.PING)
        if self.engine.myself.is_replica:
            self.handle_manual()
            self.handle_replica_failover()
            self.handle_migration()


def _ok_replicas(node: ClusterNode) -> int:
    return sum(1 for r in node.replicas if not r.failed)


def _with_mflags(msg: Message, flags: MessageFlag) -> Message:
    return replace(msg, mflags=msg.mflags | flags)
