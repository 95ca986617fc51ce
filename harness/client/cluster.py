"""A worker's view of the cluster: one connection per node it talks to, slot-aware routing,
and no automatic retries (a retried write may apply twice).

MOVED fails the operation and updates the slot map; ASK is followed once (ASKING + the
command on the named node); everything else is classified by :mod:`harness.client.outcome`.
With a :class:`WaitPolicy`, every successful write is followed by ``WAIT n timeout`` on the
same connection and the completion records the acknowledgement count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import hiredis

from harness.client.outcome import Outcome, Result, parse_redirect
from harness.client.resp import (
    ConnectFailed,
    LostAfterSend,
    NotSent,
    Reply,
    ReplyTimeout,
    RespConnection,
    pack,
)
from harness.client.slots import SlotMap, SlotMapError

_ASKING = pack(b"ASKING")
_CLUSTER_SLOTS = pack(b"CLUSTER", b"SLOTS")
_UNWATCH = pack(b"UNWATCH")


@dataclass(frozen=True, slots=True)
class WaitPolicy:
    """``WAIT replicas timeout_ms`` after each write; ``strict``: fewer acks -> info."""

    replicas: int
    timeout_ms: int
    strict: bool = False

    @property
    def payload(self) -> bytes:
        return pack(b"WAIT", self.replicas, self.timeout_ms)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Timeouts in seconds; ``names`` maps "ip:port" to node names for the history."""

    op_timeout_s: float
    connect_timeout_s: float
    names: Mapping[str, str]
    wait: WaitPolicy | None = None


class ClusterClient:
    """One worker's connections. Not shared between workers; :meth:`close` at the end."""

    def __init__(self, slots: SlotMap, config: ClientConfig) -> None:
        self._slots = slots
        self._config = config
        self._conns: dict[str, RespConnection] = {}
        self._wait_payload = config.wait.payload if config.wait else b""

    async def execute(self, key: str, payload: bytes, write: bool) -> Result:
        """Run one packed command on the primary of ``key``'s slot, exactly once."""
        address = await self._route(key)
        if isinstance(address, Result):
            return address
        return await self._on(address, payload, write, asking=False)

    async def _route(self, key: str) -> str | Result:
        """The address of ``key``'s primary (refreshing a stale slot map first), or a
        ``fail`` result when no node is known for its slot."""
        slots = self._slots
        if slots.stale:
            # on failure, route with what we know; the operation classifies what happens
            with contextlib.suppress(SlotMapError):
                await slots.refresh(self._fetch_slots, self._config.op_timeout_s)
        slot = slots.slot(key)
        address = slots.owner(slot)
        if address is None:
            return Result(Outcome.FAIL, error=f"no node known for slot {slot}")
        return address

    async def _on(self, address: str, payload: bytes, write: bool, asking: bool) -> Result:
        node = self._config.names.get(address, address)
        try:
            conn = await self._connection(address)
        except ConnectFailed as e:
            return Result(Outcome.FAIL, error=f"connect: {e}", node=node)
        timeout = self._config.op_timeout_s
        try:
            if asking:
                conn.send_nowait(_ASKING)
            reply = await conn.send(payload, timeout)
        except NotSent as e:
            self._drop(address)
            return Result(Outcome.FAIL, error=f"not sent: {e}", node=node)
        except ReplyTimeout as e:
            self._drop(address)
            return Result(Outcome.INFO, error=f"timeout: {e}", node=node)
        except LostAfterSend as e:
            self._drop(address)
            return Result(Outcome.INFO, error=f"connection lost: {e}", node=node)
        if isinstance(reply, hiredis.ReplyError):
            return await self._error(str(reply), payload, write, asking, node)
        if write and self._config.wait is not None:
            return await self._wait(conn, address, reply, node)
        return Result(Outcome.OK, reply=reply, node=node)

    async def execute_watched(
        self, key: str, read: bytes, decide: Callable[[Reply], Sequence[bytes] | None]
    ) -> Result:
        """A check-and-set with WATCH: ``WATCH key`` + ``read`` pipelined; ``decide`` maps
        the read's reply to the commands of the transaction (``MULTI``, ..., ``EXEC``), or
        None when the precondition does not hold (then UNWATCH and ``fail``). Nothing is
        written before the transaction is sent, so any trouble until then is ``fail``;
        after it, a timeout is ``info``; EXEC's nil (the key changed) is ``fail``."""
        address = await self._route(key)
        if isinstance(address, Result):
            return address
        node = self._config.names.get(address, address)
        timeout = self._config.op_timeout_s
        try:
            conn = await self._connection(address)
            watched, current = await conn.send_many([pack(b"WATCH", key), read], timeout)
        except ConnectFailed as e:
            return Result(Outcome.FAIL, error=f"connect: {e}", node=node)
        except (NotSent, ReplyTimeout, LostAfterSend) as e:
            self._drop(address)
            return Result(Outcome.FAIL, error=f"before the transaction: {e}", node=node)
        for reply in (watched, current):
            if isinstance(reply, hiredis.ReplyError):
                redirect = parse_redirect(str(reply))
                if redirect is not None and redirect[0] == "MOVED":
                    self._slots.moved(redirect[1], redirect[2])
                conn.send_nowait(_UNWATCH)
                return Result(Outcome.FAIL, error=str(reply), node=node)
        commands = decide(current)
        if commands is None:
            conn.send_nowait(_UNWATCH)
            return Result(Outcome.FAIL, error="precondition not met", reply=current, node=node)
        try:
            replies = await conn.send_many(commands, timeout)
        except NotSent as e:
            self._drop(address)
            return Result(Outcome.FAIL, error=f"not sent: {e}", node=node)
        except (ReplyTimeout, LostAfterSend) as e:
            self._drop(address)
            return Result(Outcome.INFO, error=f"transaction: {e}", node=node)
        result = replies[-1]
        if result is None:
            return Result(Outcome.FAIL, error="EXEC aborted: the watched key changed", node=node)
        if isinstance(result, hiredis.ReplyError):
            return Result(Outcome.FAIL, error=str(result), node=node)
        if self._config.wait is not None:
            return await self._wait(conn, address, result, node)
        return Result(Outcome.OK, reply=result, node=node)

    async def _error(
        self, message: str, payload: bytes, write: bool, asking: bool, node: str
    ) -> Result:
        redirect = parse_redirect(message)
        if redirect is not None:
            kind, slot, target = redirect
            if kind == "MOVED":
                self._slots.moved(slot, target)
            elif not asking:
                return await self._on(target, payload, write, asking=True)
        return Result(Outcome.FAIL, error=message, node=node)

    async def _wait(self, conn: RespConnection, address: str, reply: Reply, node: str) -> Result:
        wait = self._config.wait
        assert wait is not None
        try:
            acks = await conn.send(
                self._wait_payload, self._config.op_timeout_s + wait.timeout_ms / 1e3
            )
        except (NotSent, ReplyTimeout, LostAfterSend) as e:
            self._drop(address)
            if wait.strict:
                return Result(Outcome.INFO, reply=reply, error=f"WAIT: {e}", node=node)
            return Result(Outcome.OK, reply=reply, error=f"WAIT: {e}", node=node)
        if not isinstance(acks, int):
            outcome = Outcome.INFO if wait.strict else Outcome.OK
            return Result(outcome, reply=reply, error=f"WAIT: {acks}", node=node)
        if wait.strict and acks < wait.replicas:
            return Result(
                Outcome.INFO,
                reply=reply,
                error=f"WAIT: {acks} of {wait.replicas} replicas",
                node=node,
                acks=acks,
            )
        return Result(Outcome.OK, reply=reply, node=node, acks=acks)

    async def _connection(self, address: str) -> RespConnection:
        conn = self._conns.get(address)
        if conn is None or conn.closed:
            host, _, port = address.rpartition(":")
            conn = await RespConnection.open(host, int(port), self._config.connect_timeout_s)
            self._conns[address] = conn
        return conn

    async def _fetch_slots(self, address: str, timeout_s: float) -> Reply:
        conn = await self._connection(address)
        try:
            reply = await conn.send(_CLUSTER_SLOTS, timeout_s)
        except OSError:
            self._drop(address)
            raise
        if isinstance(reply, hiredis.ReplyError):
            raise SlotMapError(str(reply))
        return reply

    def _drop(self, address: str) -> None:
        conn = self._conns.pop(address, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()
