"""HyperLogLog values cross between redis-server and splitbrain-server: a value made by
one is counted and merged by the other to the same bytes and counts (issue 12: "the same
registers from the same MurmurHash64A, GET of our HLL equals redis's bytes")."""

from __future__ import annotations

import random

import pytest
import redis

from tests.nodes.differential.conftest import ServerPair

pytestmark = pytest.mark.redis


def _clients(pair: ServerPair) -> tuple[redis.Redis, redis.Redis]:
    theirs = redis.Redis(port=pair.theirs.port, socket_timeout=10)
    ours = redis.Redis(port=pair.ours.port, socket_timeout=10)
    theirs.flushall()
    ours.flushall()
    return theirs, ours


@pytest.mark.parametrize("size", [5, 300, 3000])
def test_values_cross_between_servers(server_pair: ServerPair, seed: int, size: int) -> None:
    rng = random.Random(seed)
    theirs, ours = _clients(server_pair)
    made_by_redis = [f"r{rng.randrange(10**9)}" for _ in range(size)]
    made_by_us = [f"o{rng.randrange(10**9)}" for _ in range(size)]
    theirs.pfadd("from-redis", *made_by_redis)
    ours.pfadd("from-us", *made_by_us)
    redis_bytes, our_bytes = theirs.get("from-redis"), ours.get("from-us")
    assert isinstance(redis_bytes, bytes) and isinstance(our_bytes, bytes)
    for client in (theirs, ours):
        client.set("from-redis", redis_bytes)
        client.set("from-us", our_bytes)
    assert ours.pfcount("from-redis") == theirs.pfcount("from-redis")
    assert ours.pfcount("from-us") == theirs.pfcount("from-us")
    assert ours.get("from-redis") == theirs.get("from-redis")  # the cached count too
    for client in (theirs, ours):
        client.pfmerge("merged", "from-redis", "from-us")
        client.pfadd("from-redis", "one more")
    assert ours.get("merged") == theirs.get("merged")
    assert ours.get("from-redis") == theirs.get("from-redis")
    assert ours.pfcount("merged") == theirs.pfcount("merged")
    assert ours.pfcount("from-redis", "from-us") == theirs.pfcount("from-redis", "from-us")


def test_random_additions_give_identical_bytes(server_pair: ServerPair, seed: int) -> None:
    """Sparse updates (splits, merges of neighbouring runs), the promotion to dense and
    the cache must match redis at every step of a random workload."""
    rng = random.Random(seed)
    theirs, ours = _clients(server_pair)
    for step in range(400):
        batch = [str(rng.randrange(20000)).encode() for _ in range(rng.randrange(1, 8))]
        assert ours.pfadd("h", *batch) == theirs.pfadd("h", *batch), f"step {step}"
        if step % 25 == 0:
            assert ours.pfcount("h") == theirs.pfcount("h"), f"step {step}"
        assert ours.get("h") == theirs.get("h"), f"step {step}: {batch!r}"
