"""The numbered databases of a server (``databases``, default 16; SELECT, SWAPDB, MOVE).

Database 0 is ``server.keyspace`` and always exists; the others are made on first use
(most servers only ever touch db 0, and then nothing here costs anything). Each is a
:class:`nodes.keyspace.Keyspace` that knows its number (``Databases.index``); writes
are propagated with a ``SELECT <n>`` in front when the stream is in another database
(``Server.propagate``). Cluster mode has database 0 only, as redis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from nodes.keyspace import Keyspace, Watcher

ExpiredHook = Callable[[int, bytes], None]


class Databases:
    """Lazily created keyspaces ``0 .. count-1``; ``first`` is database 0."""

    def __init__(self, first: Keyspace, count: int, on_expired: ExpiredHook) -> None:
        self.count = count
        self._spaces: dict[int, Keyspace] = {0: first}
        self._index: dict[int, int] = {id(first): 0}
        self._on_expired = on_expired
        first.expired_listeners.append(lambda key: on_expired(0, key))

    def get(self, index: int) -> Keyspace:
        """Database ``index`` (made now if new); the caller checked the range."""
        space = self._spaces.get(index)
        if space is None:
            first = self._spaces[0]
            space = Keyspace(first.clock_ms)
            space.expire_enabled = first.expire_enabled
            space.change_listener = first.change_listener
            space.flush_listener = first.flush_listener
            space.expired_listeners.append(lambda key: self._on_expired(index, key))
            self._spaces[index] = space
            self._index[id(space)] = index
        return space

    def index(self, space: Keyspace) -> int:
        return self._index.get(id(space), 0)

    def live(self) -> Iterator[tuple[int, Keyspace]]:
        """(number, keyspace) of every database made so far, in number order."""
        return iter(sorted(self._spaces.items()))

    def dirty(self) -> int:
        """Changes so far in every database together (redis's one ``server.dirty``,
        which save points and ``rdb_changes_since_last_save`` count)."""
        return sum(space.dirty for space in self._spaces.values())

    def empty(self) -> bool:
        """No key in any database (redis's ``dbTotalServerKeyCount() == 0``)."""
        return all(len(space) == 0 for _, space in self.live())

    def set_expire_enabled(self, enabled: bool) -> None:
        """A replica does not delete expired keys itself (in any database)."""
        for _, space in self.live():
            space.expire_enabled = enabled

    def flush_all(self) -> int:
        """FLUSHALL: empty every database; the number of keys removed."""
        return sum(space.flush() for _, space in self.live())

    def unwatch_all(self, client: Watcher, keys: list[bytes]) -> None:
        """Drop ``client``'s WATCH of ``keys`` in every database (it may have SELECTed
        another one since)."""
        for _, space in self.live():
            for key in keys:
                space.unwatch(key, client)

    def swap(self, a: int, b: int) -> None:
        """SWAPDB: the contents trade places; clients stay on their numbers, and every
        client WATCHing a key in either database sees its transaction fail."""
        one, two = self.get(a), self.get(b)
        for name in ("data", "expires", "_expiry_heap", "_scan_order"):
            first, second = getattr(one, name), getattr(two, name)
            setattr(one, name, second)
            setattr(two, name, first)
        for space in (one, two):
            space.touch_all_watched()
            space.dirty += 1
            # Clients blocked in either database now see its new contents (redis's
            # scanDatabaseForReadyKeys); they are served after the command.
            space.ready_keys.update((key, None) for key in space.waited_keys if key in space)
