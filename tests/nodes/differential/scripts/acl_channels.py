"""ACL channel permissions on pub/sub: -NOPERM for PUBLISH, SPUBLISH, SUBSCRIBE,
SSUBSCRIBE and PSUBSCRIBE naming a denied channel (a PSUBSCRIBE pattern must equal an
allowed one), the same from a script and in ACL DRYRUN, the ACL LOG entries, and an
allowed subscription still receiving messages.

Client 1 runs as the restricted user; clients 0 and 2 stay the default user.
"""

from tests.nodes.differential.runner import Script, Step, cmd, each_item, except_fields, script

CLIENT_STATE = "age-seconds is a clock; client-info carries ports, ids and buffer sizes"


def confirmed(*args: str, client: int) -> Step:
    """An allowed (P|S)SUBSCRIBE: one confirmation per channel."""
    return Step(tuple(a.encode() for a in args), client=client, replies=max(1, len(args) - 1))


SCRIPTS: list[Script] = [
    script(
        "acl-pubsub-channels",
        cmd("ACL", "LOG", "RESET"),
        cmd("ACL", "SETUSER", "pete", "on", "nopass", "+@all", "~*", "resetchannels"),
        cmd("ACL", "SETUSER", "pete", "&news*", "&lit"),
        cmd("ACL", "GETUSER", "pete"),
        cmd("AUTH", "pete", "any", client=1),
        cmd("PUBLISH", "sport", "x", client=1),
        cmd("PUBLISH", "news1", "x", client=1),
        cmd("PUBLISH", "lit", "x", client=1),
        cmd("SPUBLISH", "sport", "x", client=1),
        cmd("SPUBLISH", "newsy", "x", client=1),
        cmd("SUBSCRIBE", "sport", client=1),
        cmd("SUBSCRIBE", "news1", "sport", "lit", client=1),
        cmd("SSUBSCRIBE", "sport", client=1),
        cmd("PSUBSCRIBE", "n*", client=1),
        cmd("PSUBSCRIBE", "news1", client=1),
        cmd("PSUBSCRIBE", "news*", "lit", "li*", client=1),
        cmd("EVAL", "return redis.call('publish', 'sport', 'x')", 0, client=1),
        cmd("EVAL", "return redis.pcall('publish', KEYS[1], 'x')", 1, "other", client=1),
        cmd("EVAL", "return redis.call('publish', 'news2', 'x')", 0, client=1),
        cmd("MULTI", client=1),
        cmd("PUBLISH", "sport", "x", client=1),
        cmd("EXEC", client=1),
        cmd("ACL", "DRYRUN", "pete", "PUBLISH", "sport", "x"),
        cmd("ACL", "DRYRUN", "pete", "PUBLISH", "news9", "x"),
        cmd("ACL", "DRYRUN", "pete", "SUBSCRIBE", "lit", "no"),
        cmd("ACL", "DRYRUN", "pete", "PSUBSCRIBE", "news*"),
        cmd(
            "ACL",
            "LOG",
            same=each_item(except_fields(b"age-seconds", b"client-info")),
            why=CLIENT_STATE,
        ),
        confirmed("SUBSCRIBE", "news1", "lit", client=1),
        confirmed("PSUBSCRIBE", "news*", client=1),
        cmd("PUBLISH", "news1", "hello", client=2),
        Step((), raw=b"", client=1, replies=2),  # message, then pmessage
        cmd("PUBLISH", "lit", "there", client=2),
        Step((), raw=b"", client=1, replies=1),
        cmd("PUBSUB", "NUMSUB", "news1", "lit", "sport", client=2),
        cmd("RESET", client=1),
        cmd("ACL", "DELUSER", "pete"),
        cmd("ACL", "LOG", "RESET"),
    ),
]
