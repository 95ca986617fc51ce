"""The seam the blocking layer plugs into (:mod:`nodes.commands.streams_wakeup`):
XREAD/XREADGROUP BLOCK with nothing to serve wait on :mod:`nodes.blocking` until a stream
grows (or its group goes), and :func:`nodes.commands.streams_delivery.serve_blocked`
(what the layer calls then) serves a blocked read the way redis's
``serveClientsBlockedOnStreamKey`` does. Run in-process on a real
:class:`nodes.server.Server`'s command path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from nodes.client import Client
from nodes.commands import load_all
from nodes.commands.context import CommandContext
from nodes.commands.dispatch import execute
from nodes.commands.streams_delivery import serve_blocked
from nodes.commands.streams_wakeup import BlockedRead
from nodes.config.loader import parse_command_line
from nodes.resp.values import NULL_ARRAY, Blocked, Error
from nodes.server import Server
from nodes.types.stream_ids import MAX_ID, make


@pytest.fixture
def ctx() -> Iterator[CommandContext]:
    load_all()
    loop = asyncio.new_event_loop()
    try:
        server = Server(parse_command_line(["--port", "0", "--save", ""]), loop=loop)
        yield CommandContext(server, Client(id=7, addr="t", laddr="", fd=-1, created_ms=0))
    finally:
        loop.close()


def run(ctx: CommandContext, *args: bytes) -> object:
    return execute(ctx, list(args))


def test_block_waits_on_the_blocking_layer_until_an_xadd(ctx: CommandContext) -> None:
    run(ctx, b"XADD", b"s", b"1-0", b"a", b"1")
    blocked = run(ctx, b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$")
    assert isinstance(blocked, Blocked) and not blocked.future.done()
    writer = CommandContext(ctx.server, Client(id=8, addr="w", laddr="", fd=-1, created_ms=0))
    run(writer, b"XADD", b"s", b"2-0", b"b", b"2")
    assert blocked.future.result() == [[b"s", [[b"2-0", [b"b", b"2"]]]]]
    run(writer, b"XGROUP", b"CREATE", b"s", b"g", b"$")
    waiting = run(ctx, b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0", b"STREAMS", b"s", b">")
    assert isinstance(waiting, Blocked)
    run(writer, b"XGROUP", b"DESTROY", b"s", b"g")
    reply = waiting.future.result()
    assert isinstance(reply, Error) and reply.text.startswith(b"NOGROUP")
    # Inside MULTI (or a script) it never blocks: a timeout's null array.
    run(ctx, b"MULTI")
    run(ctx, b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$")
    assert run(ctx, b"EXEC") == [NULL_ARRAY]


def test_serve_blocked_waits_for_an_id_above_and_then_serves(ctx: CommandContext) -> None:
    run(ctx, b"XADD", b"s", b"1-0", b"a", b"1")
    request = BlockedRead((b"other", b"s"), (0, make(1, 0)), 0, 0)
    assert serve_blocked(ctx, request, b"s") is None
    run(ctx, b"XADD", b"s", b"2-0", b"a", b"2")
    run(ctx, b"XADD", b"s", b"3-0", b"a", b"3")
    assert serve_blocked(ctx, request, b"s") == (
        [[b"s", [[b"2-0", [b"a", b"2"]], [b"3-0", [b"a", b"3"]]]]],
        [],
    )
    ctx.client.resp = 3
    one = BlockedRead((b"s",), (make(1, 0),), 0, 1)
    assert serve_blocked(ctx, one, b"s") == ({b"s": [[b"2-0", [b"a", b"2"]]]}, [])


def test_serve_blocked_delivers_to_the_group_and_says_what_to_propagate(
    ctx: CommandContext,
) -> None:
    run(ctx, b"XADD", b"s", b"1-0", b"a", b"1")
    run(ctx, b"XGROUP", b"CREATE", b"s", b"g", b"$")
    request = BlockedRead((b"s",), (MAX_ID,), 0, 0, b"g", b"c", False)
    assert serve_blocked(ctx, request, b"s") is None
    run(ctx, b"XADD", b"s", b"2-0", b"a", b"2")
    served = serve_blocked(ctx, request, b"s")
    assert served is not None
    reply, effects = served
    assert reply == [[b"s", [[b"2-0", [b"a", b"2"]]]]]
    assert [e[:6] for e in effects] == [[b"XCLAIM", b"s", b"g", b"c", b"0", b"2-0"]]
    assert effects[0][-2:] == [b"LASTID", b"2-0"]
    assert serve_blocked(ctx, request, b"s") is None, "the group's last ID moved on"
    noack = BlockedRead((b"s",), (MAX_ID,), 0, 0, b"g", b"d", True)
    run(ctx, b"XADD", b"s", b"3-0", b"a", b"3")
    served = serve_blocked(ctx, noack, b"s")
    assert served is not None
    assert served[1] == [
        [b"XGROUP", b"CREATECONSUMER", b"s", b"g", b"d"],
        [b"XGROUP", b"SETID", b"s", b"g", b"3-0", b"ENTRIESREAD", b"3"],
    ]
    run(ctx, b"XGROUP", b"DESTROY", b"s", b"g")
    gone = serve_blocked(ctx, request, b"s")
    assert gone is not None and isinstance(gone[0], Error)
    assert gone[0].text.startswith(b"NOGROUP")
