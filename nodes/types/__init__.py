"""Value types of the collection families that need more than a builtin container:
sorted sets (:class:`ZSet`, over :class:`SortedList`) and sets that remember whether
Redis would keep them as an intset (:class:`RedisSet`, which decides SMEMBERS order).
Lists are ``collections.deque`` and hashes ``dict``, as :mod:`nodes.keyspace` declares.
"""

from nodes.types.scores import LexBound, ScoreBound, parse_lex_bound, parse_score, parse_score_bound
from nodes.types.sets import RedisSet
from nodes.types.sortedlist import SortedList
from nodes.types.zset import ZSet

__all__ = [
    "LexBound",
    "RedisSet",
    "ScoreBound",
    "SortedList",
    "ZSet",
    "parse_lex_bound",
    "parse_score",
    "parse_score_bound",
]
