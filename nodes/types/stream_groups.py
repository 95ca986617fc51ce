"""Consumer groups of a stream (redis 7.0's ``streamCG``, ``streamConsumer``,
``streamNACK``).

A group has a last delivered ID, a logical read counter (``entries_read``, -1 when
unknown), its pending entries list (PEL: entry ID -> :class:`Nack`) and its consumers,
each with its own PEL sharing the same :class:`Nack` objects. Redis keeps these in radix
trees, so every listing is in byte order of the key: ``sorted`` here.
"""

from __future__ import annotations


class Nack:
    """A delivered, not yet acknowledged entry: its owner, last delivery time (ms) and
    number of deliveries. ``consumer`` is ``None`` only while XCLAIM FORCE creates it."""

    __slots__ = ("consumer", "delivery_count", "delivery_time")

    def __init__(self, consumer: Consumer | None, delivery_time: int, delivery_count: int = 1):
        self.consumer = consumer
        self.delivery_time = delivery_time
        self.delivery_count = delivery_count


class Consumer:
    __slots__ = ("name", "pel", "seen_time")

    def __init__(self, name: bytes, seen_time: int) -> None:
        self.name = name
        self.seen_time = seen_time
        self.pel: dict[int, Nack] = {}


class ConsumerGroup:
    __slots__ = ("consumers", "entries_read", "last_id", "pel")

    def __init__(self, last_id: int, entries_read: int) -> None:
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel: dict[int, Nack] = {}
        self.consumers: dict[bytes, Consumer] = {}

    def consumer(self, name: bytes, now_ms: int, *, refresh: bool = True) -> Consumer | None:
        """``streamLookupConsumer``: the consumer (its seen time refreshed) or None."""
        found = self.consumers.get(name)
        if found is not None and refresh:
            found.seen_time = now_ms
        return found

    def create_consumer(self, name: bytes, now_ms: int) -> Consumer | None:
        """A new consumer, or None when the name is taken."""
        if name in self.consumers:
            return None
        created = self.consumers[name] = Consumer(name, now_ms)
        return created

    def delete_consumer(self, consumer: Consumer) -> int:
        """Remove a consumer and its pending entries; returns how many it had."""
        pending = len(consumer.pel)
        for entry_id in consumer.pel:
            self.pel.pop(entry_id, None)
        del self.consumers[consumer.name]
        return pending

    def ack(self, entry_id: int) -> bool:
        nack = self.pel.pop(entry_id, None)
        if nack is None:
            return False
        if nack.consumer is not None:
            nack.consumer.pel.pop(entry_id, None)
        return True

    def assign(self, entry_id: int, nack: Nack, consumer: Consumer) -> None:
        """Move ``nack`` (already in the group PEL) to ``consumer``'s PEL."""
        if nack.consumer is not consumer:
            if nack.consumer is not None:
                nack.consumer.pel.pop(entry_id, None)
            consumer.pel[entry_id] = nack
            nack.consumer = consumer

    def copy(self) -> ConsumerGroup:
        dup = ConsumerGroup(self.last_id, self.entries_read)
        for name, c in self.consumers.items():
            twin = dup.consumers[name] = Consumer(name, c.seen_time)
            for entry_id in c.pel:
                nack = self.pel[entry_id]
                twin.pel[entry_id] = dup.pel[entry_id] = Nack(
                    twin, nack.delivery_time, nack.delivery_count
                )
        return dup


def sorted_pel(pel: dict[int, Nack], start: int = 0) -> list[int]:
    """The PEL's IDs from ``start`` on, in order."""
    return sorted(i for i in pel if i >= start)
