"""LOLWUT: the version banner redis-server 7.0 answers.

Redis 7.0's own LOLWUT (any version but 5 and 6) is the text ``Redis ver. <version>``.
Its VERSION 5 and 6 drawings (computer art) are not drawn here: asking for them gets a
clear error instead of a different picture.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError
from nodes.info import VERSION
from nodes.resp.values import Reply, Verbatim

_DRAWN = (5, 6)
"""The LOLWUT versions whose reply is a drawing in redis 7.0."""


@command("lolwut", -1, "readonly fast", acl="@read @fast")
def lolwut(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) >= 3 and argv[1].lower() == b"version":
        version = parse_int(argv[2])
        # Redis's test of the version string: 4.9 counts as 5, 5.9 as 6.
        if version in _DRAWN:
            raise CommandError(f"LOLWUT VERSION {version} drawings are not implemented")
    return Verbatim(f"Redis ver. {VERSION}\n".encode())
