"""Pub/sub registries: who listens to which channel, pattern and shard channel, and the
delivery of messages to their connections (redis's ``pubsub.c``).

Per client, :class:`Subscriptions` holds its channels, patterns and shard channels (in
subscription order); per server, :class:`PubSub` maps each channel, pattern and shard
channel to its subscribed clients (in subscription order: that is the delivery order).

A message reaches a client as a :class:`nodes.resp.values.Push` (``>`` in RESP3, an
array in RESP2) written straight into its connection's output, so a subscriber receives
it at the end of the current event-loop iteration, whatever it is doing.

Cluster mode: :attr:`PubSub.bus_publish` (set by the cluster component) carries a
PUBLISH to every node and an SPUBLISH to the nodes of this shard;
:meth:`PubSub.deliver` is what a message received from the bus calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nodes.keyslot import keyslot
from nodes.pattern import matches
from nodes.resp.encoder import encode_into
from nodes.resp.values import Push, Reply

if TYPE_CHECKING:
    from nodes.client import Client
    from nodes.server import Server

ALLOWED_WHEN_SUBSCRIBED = frozenset(
    (
        "ping",
        "subscribe",
        "ssubscribe",
        "unsubscribe",
        "sunsubscribe",
        "psubscribe",
        "punsubscribe",
        "quit",
        "reset",
    )
)
"""Commands a RESP2 client may send while it has subscriptions (redis's processCommand)."""

BusPublish = Callable[[bytes, bytes, bool], None]
"""``(channel, message, sharded)``: hand a published message to the cluster bus."""


class Subscriptions:
    """One client's subscriptions (dicts used as ordered sets)."""

    __slots__ = ("channels", "patterns", "shard")

    def __init__(self) -> None:
        self.channels: dict[bytes, None] = {}
        self.patterns: dict[bytes, None] = {}
        self.shard: dict[bytes, None] = {}

    def count(self) -> int:
        """Channels plus patterns: the number SUBSCRIBE/PSUBSCRIBE replies show."""
        return len(self.channels) + len(self.patterns)

    def total(self) -> int:
        return len(self.channels) + len(self.patterns) + len(self.shard)


def subscriptions(client: Client) -> Subscriptions:
    """The client's subscriptions, created on first use."""
    subs = client.pubsub
    if subs is None:
        subs = client.pubsub = Subscriptions()
    return subs


def leave_pubsub_if_idle(client: Client) -> None:
    """A client without any subscription leaves subscribed mode."""
    subs = client.pubsub
    if subs is not None and subs.total() == 0:
        client.pubsub = None


def message(kind: bytes, *items: Reply) -> Push:
    return Push([kind, *items])


class PubSub:
    """The server-wide registries (one per :class:`nodes.server.Server`)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.channels: dict[bytes, dict[Client, None]] = {}
        self.patterns: dict[bytes, dict[Client, None]] = {}
        self.shard_channels: dict[bytes, dict[Client, None]] = {}
        self.bus_publish: BusPublish | None = None

    # ---- delivery ------------------------------------------------------------------
    def push(self, client: Client, reply: Reply) -> None:
        """Write ``reply`` into ``client``'s output now (sent this loop iteration)."""
        conn = self.server.connections.get(client.id)
        if conn is None or conn.closed:
            return
        encode_into(conn.out, reply, client.resp == 3)
        conn.schedule_output()

    def deliver(self, channel: bytes, payload: bytes, *, sharded: bool) -> int:
        """Send a published message to the local subscribers; returns how many got it
        (channel subscribers first, then pattern subscribers, as redis counts)."""
        receivers = 0
        table = self.shard_channels if sharded else self.channels
        clients = table.get(channel)
        if clients:
            msg = message(b"smessage" if sharded else b"message", channel, payload)
            for client in list(clients):
                self.push(client, msg)
                receivers += 1
        if sharded or not self.patterns:
            return receivers
        for pattern, pclients in list(self.patterns.items()):
            if not matches(pattern, channel):
                continue
            pmsg = message(b"pmessage", pattern, channel, payload)
            for client in list(pclients):
                self.push(client, pmsg)
                receivers += 1
        return receivers

    def publish(self, channel: bytes, payload: bytes, *, sharded: bool) -> int:
        """PUBLISH / SPUBLISH: deliver here, then to the cluster bus when there is one."""
        receivers = self.deliver(channel, payload, sharded=sharded)
        if self.bus_publish is not None:
            self.bus_publish(channel, payload, sharded)
        return receivers

    # ---- subscribing ---------------------------------------------------------------
    def subscribe(self, client: Client, channel: bytes, *, sharded: bool) -> Push:
        subs = subscriptions(client)
        mine = subs.shard if sharded else subs.channels
        if channel not in mine:
            mine[channel] = None
            table = self.shard_channels if sharded else self.channels
            table.setdefault(channel, {})[client] = None
        if sharded:
            return message(b"ssubscribe", channel, len(subs.shard))
        return message(b"subscribe", channel, subs.count())

    def unsubscribe(
        self, client: Client, channel: bytes | None, *, sharded: bool, notify: bool = True
    ) -> Push | None:
        """Drop one subscription (``channel`` None: the "not subscribed to anything"
        confirmation); returns the confirmation message when ``notify``."""
        subs = client.pubsub
        if channel is not None and subs is not None:
            mine = subs.shard if sharded else subs.channels
            if mine.pop(channel, 0) is None:
                table = self.shard_channels if sharded else self.channels
                _discard(table, channel, client)
        if not notify:
            return None
        if sharded:
            return message(b"sunsubscribe", channel, len(subs.shard) if subs else 0)
        return message(b"unsubscribe", channel, subs.count() if subs else 0)

    def psubscribe(self, client: Client, pattern: bytes) -> Push:
        subs = subscriptions(client)
        if pattern not in subs.patterns:
            subs.patterns[pattern] = None
            self.patterns.setdefault(pattern, {})[client] = None
        return message(b"psubscribe", pattern, subs.count())

    def punsubscribe(
        self, client: Client, pattern: bytes | None, *, notify: bool = True
    ) -> Push | None:
        subs = client.pubsub
        if pattern is not None and subs is not None and subs.patterns.pop(pattern, 0) is None:
            _discard(self.patterns, pattern, client)
        if not notify:
            return None
        return message(b"punsubscribe", pattern, subs.count() if subs else 0)

    def unsubscribe_all(self, client: Client, *, kind: bytes, notify: bool = True) -> list[Push]:
        """UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE without arguments (``kind`` is
        ``channel``, ``pattern`` or ``shard``): one confirmation per subscription, or one
        with a null name when there was none."""
        subs = client.pubsub
        names: list[bytes] = []
        if subs is not None:
            names = list(
                subs.patterns
                if kind == b"pattern"
                else subs.shard
                if kind == b"shard"
                else subs.channels
            )
        targets: list[bytes | None] = list(names) if names else [None]
        out: list[Push] = []
        for name in targets:
            if kind == b"pattern":
                msg = self.punsubscribe(client, name, notify=notify)
            else:
                msg = self.unsubscribe(client, name, sharded=kind == b"shard", notify=notify)
            if msg is not None:
                out.append(msg)
        return out

    def forget(self, client: Client) -> None:
        """A closed connection (or RESET): drop every subscription without replies."""
        if client.pubsub is None:
            return
        for kind in (b"channel", b"pattern", b"shard"):
            self.unsubscribe_all(client, kind=kind, notify=False)
        client.pubsub = None

    # ---- cluster -------------------------------------------------------------------
    def drop_shard_slots(self, served: Callable[[int], bool]) -> None:
        """Unsubscribe every client from the shard channels whose slot this shard no
        longer serves, each told with an ``sunsubscribe`` message (redis 7.0's
        ``removeChannelsInSlot``)."""
        for channel in [c for c in self.shard_channels if not served(keyslot(c))]:
            for client in list(self.shard_channels.get(channel, ())):
                msg = self.unsubscribe(client, channel, sharded=True)
                if msg is not None:
                    self.push(client, msg)
                leave_pubsub_if_idle(client)

    def subscription_count(self) -> int:
        """Channels plus patterns with subscribers (redis's serverPubsubSubscriptionCount)."""
        return len(self.channels) + len(self.patterns)


def _discard(table: dict[bytes, dict[Client, None]], name: bytes, client: Client) -> None:
    clients = table.get(name)
    if clients is not None:
        clients.pop(client, None)
        if not clients:
            del table[name]
