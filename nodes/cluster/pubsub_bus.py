"""Pub/sub over the cluster bus (redis 7.0's ``clusterPropagatePublish``).

PUBLISH goes to every node we have a link to (a ``PUBLISH`` message, type 4: the channel
and message lengths, then both as bytes); SPUBLISH only to the other nodes of our shard
(``PUBLISHSHARD``, type 10: our master, or ourselves, and its replicas). A received
message is delivered to the local subscribers. Shard channels whose slot our shard no
longer serves are dropped, their subscribers told with ``sunsubscribe`` (redis's
``removeChannelsInSlot``, checked on every cluster cron tick).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.cluster.wire import Message, MessageType, NodeFlag, PublishBody

if TYPE_CHECKING:
    from nodes.cluster.engine import ClusterEngine
    from nodes.server import Server


class ClusterPubSub:
    """Connects :class:`nodes.pubsub.PubSub` to the cluster engine."""

    def __init__(self, server: Server, engine: ClusterEngine) -> None:
        self.server = server
        self.engine = engine
        server.pubsub.bus_publish = self.publish
        engine.on_publish = self.received

    def publish(self, channel: bytes, message: bytes, sharded: bool) -> None:
        engine = self.engine
        body = PublishBody(channel, message)
        if not sharded:
            engine.broadcast(engine.build(MessageType.PUBLISH, body))
            return
        me = engine.myself
        master = me.master if me.is_replica and me.master is not None else me
        msg = engine.build(MessageType.PUBLISHSHARD, body)
        for node in (master, *master.replicas):
            if node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE):
                continue
            engine.send(node.link, msg)

    def received(self, msg: Message) -> None:
        body = msg.body
        if isinstance(body, PublishBody):
            sharded = msg.type is MessageType.PUBLISHSHARD
            self.server.pubsub.deliver(body.channel, body.message, sharded=sharded)

    def serves(self, slot: int) -> bool:
        """Whether our shard (our master, or we ourselves) owns ``slot``."""
        me = self.engine.myself
        master = me.master if me.is_replica and me.master is not None else me
        return self.engine.state.owners[slot] is master

    def cron(self) -> None:
        if self.server.pubsub.shard_channels:
            self.server.pubsub.drop_shard_slots(self.serves)
