"""The set value, with the one trait of Redis's encodings that clients can see.

Redis 7.0 keeps a set whose members are all 64-bit integers in canonical form as an
*intset* (sorted numbers, at most 512 of them) and any other set as a hash table. The
encoding is chosen by the first member SADD sees, and a set converted to a hash table
never goes back. SMEMBERS lists an intset in numeric order and a hash table in an
order that depends on a per-process seed; :meth:`RedisSet.ordered` gives the intset
order when Redis would, so that those replies match byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nodes.keyspace import register_value_type
from nodes.resp.parser import string2ll
from nodes.types.limits import LIMITS


class RedisSet:
    """A Redis set: distinct byte strings, plus whether Redis would hold an intset."""

    __slots__ = ("intset", "members")

    def __init__(self, *, intset: bool) -> None:
        self.members: set[bytes] = set()
        self.intset = intset

    @classmethod
    def for_first_member(cls, member: bytes) -> RedisSet:
        """An empty set encoded the way SADD creates one for its first ``member``."""
        return cls(intset=string2ll(member) is not None)

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, member: object) -> bool:
        return member in self.members

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.members)

    def add(self, member: bytes) -> bool:
        """Add ``member``; True if it was new."""
        if member in self.members:
            return False
        if self.intset and (
            string2ll(member) is None or len(self.members) + 1 > LIMITS.set_max_intset_entries
        ):
            self.intset = False
        self.members.add(member)
        return True

    def add_all(self, members: Iterable[bytes]) -> int:
        return sum(1 for m in members if self.add(m))

    def remove(self, member: bytes) -> bool:
        if member not in self.members:
            return False
        self.members.remove(member)
        return True

    def copy(self) -> RedisSet:
        """An independent set with the same members and encoding (COPY, SORT STORE)."""
        twin = RedisSet(intset=self.intset)
        twin.members = set(self.members)
        return twin

    def ordered(self) -> list[bytes]:
        """The members in the order SMEMBERS lists them (numeric for an intset)."""
        if self.intset:
            return sorted(self.members, key=int)
        return list(self.members)


register_value_type(RedisSet, b"set")
