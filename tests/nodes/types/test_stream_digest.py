"""What a stream contributes to DEBUG DIGEST-VALUE (:meth:`Stream.digest_parts`, for
``nodes/digest.py``): mixed the way redis mixes a value, it gives redis-server's digest
of the same stream."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import redis

from nodes.types.stream import Stream
from nodes.types.stream_ids import make
from tests.support.servers import redis_server

pytestmark = pytest.mark.redis

STREAM_TYPE = 6


def _mix(digest: bytearray, data: bytes) -> None:
    for i, byte in enumerate(hashlib.sha1(data).digest()):
        digest[i] ^= byte
    digest[:] = hashlib.sha1(bytes(digest)).digest()


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
        digest = bytearray(20)
        _mix(digest, STREAM_TYPE.to_bytes(4, "big"))
        for part in ours.digest_parts():
            _mix(digest, part)
        assert digest.hex().encode() == want
    finally:
        server.stop()
