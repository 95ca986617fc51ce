"""LOLWUT: the version banner redis-server 7.0 answers.

Redis 7.0's own LOLWUT (any version but 5 and 6) is the text ``Redis ver. <version>``.
Its VERSION 5 and 6 drawings (random computer art ending with the same banner) are not
drawn here: those versions get the banner line alone, which is what clients read from it.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.info import VERSION
from nodes.resp.values import Reply, Verbatim


@command("lolwut", -1, "readonly fast", acl="@read @fast")
def lolwut(ctx: CommandContext, argv: list[bytes]) -> Reply:
    if len(argv) >= 3 and argv[1].lower() == b"version":
        parse_int(argv[2])  # redis's error for a non-integer version; any integer is fine
    return Verbatim(f"Redis ver. {VERSION}\n".encode())
