"""ACL channel permissions on pub/sub: -NOPERM for PUBLISH, SPUBLISH, SUBSCRIBE,
SSUBSCRIBE and PSUBSCRIBE naming a denied channel (a PSUBSCRIBE pattern must equal an
allowed one), the same from a script and in ACL DRYRUN, the ACL LOG entries, an
allowed subscription still receiving messages, and ACL SETUSER disconnecting a pub/sub
client only once its subscriptions fall outside the user's new channel rules.

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
        # New rules keeping every subscription: client 1 stays (a superset, then a
        # smaller list that still covers news1, lit and the news* pattern).
        cmd("ACL", "SETUSER", "pete", "&other", client=2),
        cmd("PUBLISH", "lit", "superset", client=2),
        Step((), raw=b"", client=1, replies=1),
        cmd("ACL", "SETUSER", "pete", "resetchannels", "&news*", "&lit", client=2),
        cmd("PUBLISH", "lit", "covered", client=2),
        Step((), raw=b"", client=1, replies=1),
        # The news* pattern no longer equals an allowed one: client 1 is disconnected.
        cmd("ACL", "SETUSER", "pete", "resetchannels", "&news1", "&lit", client=2),
        cmd("PUBSUB", "NUMSUB", "news1", "lit", client=2),
        cmd("PUBSUB", "NUMPAT", client=2),
        cmd("ACL", "DELUSER", "pete"),
        cmd("ACL", "LOG", "RESET"),
    ),
]
