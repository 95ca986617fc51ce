"""DEBUG DIGEST-VALUE of a stream (:func:`nodes.digest.value_digest` over
:meth:`Stream.digest_parts`) is redis-server's digest of the same stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis

from nodes.digest import value_digest
from nodes.keyspace import Keyspace
from nodes.types.stream import Stream
from nodes.types.stream_ids import make
from tests.support.servers import redis_server

pytestmark = pytest.mark.redis


def test_digest_parts_give_redis_digest(tmp_path: Path) -> None:
    server = redis_server(tmp_path, args=("--enable-debug-command", "yes")).start()
    try:
        client: Any = redis.Redis(port=server.port)
        ours = Stream()
        for i in range(1, 120):
            fields = [b"f", b"%d" % i] if i % 7 else [b"other", b"x" * i, b"g", b""]
            client.xadd("s", dict(zip(fields[0::2], fields[1::2], strict=True)), id=f"{i}-{i}")
            ours.append(make(i, i), fields)
        client.xdel("s", "5-5", "6-6")
        ours.delete(make(5, 5))
        ours.delete(make(6, 6))
        client.xgroup_create("s", "g", id="0")
        want = client.execute_command("DEBUG", "DIGEST-VALUE", "s")[0]
        space = Keyspace(lambda: 0)
        space.set(b"s", ours)
        assert value_digest(space, b"s").hex().encode() == want
    finally:
        server.stop()
