"""CLIENT REPLY (ON / OFF / SKIP, pipelined so that the silenced replies are visibly
missing), CLIENT NO-EVICT and CLIENT HELP beside redis-server."""

from tests.nodes.differential.runner import Script, cmd, raw, script

SCRIPTS: list[Script] = [
    script(
        "client-reply-and-friends",
        raw(b"CLIENT REPLY SKIP\r\nSET a 1\r\nGET a\r\n"),
        raw(
            b"CLIENT REPLY OFF\r\nSET b 2\r\nPING\r\n"
            b"CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nGET b\r\n",
            replies=2,
        ),
        raw(b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING\r\nECHO x\r\n"),
        cmd("CLIENT", "REPLY", "MAYBE"),
        cmd("CLIENT", "REPLY"),
        cmd("CLIENT", "NO-EVICT", "on"),
        cmd("CLIENT", "NO-EVICT", "OFF"),
        cmd("CLIENT", "NO-EVICT", "maybe"),
        cmd("CLIENT", "HELP"),
        cmd("client", "help"),
        cmd("CLIENT", "HELP", "x"),
    ),
]
