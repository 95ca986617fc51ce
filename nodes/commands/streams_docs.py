"""COMMAND DOCS of the stream commands (redis 7.0's texts), read by their ``@command``
declarations."""

from __future__ import annotations

from nodes.commands.command_docs import Arg, Docs

XACK = Docs(
    summary=(
        "Marks a pending message as correctly processed, effectively "
        "removing it from the pending entries list of the consumer "
        "group. Return value of the command is the number of messages "
        "successfully acknowledged, that is, the IDs we were actually "
        "able to resolve in the PEL."
    ),
    since="5.0.0",
    group="stream",
    complexity="O(1) for each message ID processed.",
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("group", "string"),
        Arg("id", "string", multiple=True),
    ),
)

XADD = Docs(
    summary="Appends a new entry to a stream",
    since="5.0.0",
    group="stream",
    complexity=(
        "O(1) when adding a new entry, O(N) when trimming where N "
        "being the number of entries evicted."
    ),
    history=(
        (
            "6.2.0",
            ("Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."),
        ),
        ("7.0.0", "Added support for the `<ms>-*` explicit ID form."),
    ),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("nomkstream", "pure-token", token="NOMKSTREAM", since="6.2.0", optional=True),
        Arg(
            "trim",
            "block",
            optional=True,
            arguments=(
                Arg(
                    "strategy",
                    "oneof",
                    arguments=(
                        Arg("maxlen", "pure-token", token="MAXLEN"),
                        Arg("minid", "pure-token", token="MINID", since="6.2.0"),
                    ),
                ),
                Arg(
                    "operator",
                    "oneof",
                    optional=True,
                    arguments=(
                        Arg("equal", "pure-token", token="="),
                        Arg("approximately", "pure-token", token="~"),
                    ),
                ),
                Arg("threshold", "string"),
                Arg("count", "integer", token="LIMIT", since="6.2.0", optional=True),
            ),
        ),
        Arg(
            "id_or_auto",
            "oneof",
            arguments=(
                Arg("auto_id", "pure-token", token="*"),
                Arg("id", "string"),
            ),
        ),
        Arg(
            "field_value",
            "block",
            multiple=True,
            arguments=(
                Arg("field", "string"),
                Arg("value", "string"),
            ),
        ),
    ),
)

XAUTOCLAIM = Docs(
    summary=(
        "Changes (or acquires) ownership of messages in a consumer "
        "group, as if the messages were delivered to the specified "
        "consumer."
    ),
    since="6.2.0",
    group="stream",
    complexity="O(1) if COUNT is small.",
    history=(
        (
            "7.0.0",
            (
                "Added an element to the reply array, containing deleted "
                "entries the command cleared from the PEL"
            ),
        ),
    ),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("group", "string"),
        Arg("consumer", "string"),
        Arg("min-idle-time", "string"),
        Arg("start", "string"),
        Arg("count", "integer", token="COUNT", optional=True),
        Arg("justid", "pure-token", token="JUSTID", optional=True),
    ),
)

XCLAIM = Docs(
    summary=(
        "Changes (or acquires) ownership of a message in a consumer "
        "group, as if the message was delivered to the specified "
        "consumer."
    ),
    since="5.0.0",
    group="stream",
    complexity=("O(log N) with N being the number of messages in the PEL of the consumer group."),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("group", "string"),
        Arg("consumer", "string"),
        Arg("min-idle-time", "string"),
        Arg("id", "string", multiple=True),
        Arg("ms", "integer", token="IDLE", optional=True),
        Arg("unix-time-milliseconds", "unix-time", token="TIME", optional=True),
        Arg("count", "integer", token="RETRYCOUNT", optional=True),
        Arg("force", "pure-token", token="FORCE", optional=True),
        Arg("justid", "pure-token", token="JUSTID", optional=True),
        Arg("id", "string", token="LASTID", optional=True),
    ),
)

XDEL = Docs(
    summary=(
        "Removes the specified entries from the stream. Returns the "
        "number of items actually deleted, that may be different from "
        "the number of IDs passed in case certain IDs do not exist."
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "O(1) for each single item to delete in the stream, regardless of the stream size."
    ),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("id", "string", multiple=True),
    ),
)

XGROUP_CREATE = Docs(
    summary="Create a consumer group.",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    history=(("7.0.0", "Added the `entries_read` named argument."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
        Arg(
            "id",
            "oneof",
            arguments=(
                Arg("id", "string"),
                Arg("new_id", "pure-token", token="$"),
            ),
        ),
        Arg("mkstream", "pure-token", token="MKSTREAM", optional=True),
        Arg("entries_read", "integer", token="ENTRIESREAD", optional=True),
    ),
)

XGROUP_CREATECONSUMER = Docs(
    summary="Create a consumer in a consumer group.",
    since="6.2.0",
    group="stream",
    complexity="O(1)",
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
        Arg("consumername", "string"),
    ),
)

XGROUP_DELCONSUMER = Docs(
    summary="Delete a consumer from a consumer group.",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
        Arg("consumername", "string"),
    ),
)

XGROUP_DESTROY = Docs(
    summary="Destroy a consumer group.",
    since="5.0.0",
    group="stream",
    complexity=("O(N) where N is the number of entries in the group's pending entries list (PEL)."),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
    ),
)

XGROUP_HELP = Docs(
    summary="Show helpful text about the different subcommands",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
)

XGROUP_SETID = Docs(
    summary=("Set a consumer group to an arbitrary last delivered ID value."),
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    history=(("7.0.0", "Added the optional `entries_read` argument."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
        Arg(
            "id",
            "oneof",
            arguments=(
                Arg("id", "string"),
                Arg("new_id", "pure-token", token="$"),
            ),
        ),
        Arg("entries_read", "integer", token="ENTRIESREAD", optional=True),
    ),
)

XGROUP = Docs(
    summary="A container for consumer groups commands",
    since="5.0.0",
    group="stream",
    complexity="Depends on subcommand.",
)

XINFO_CONSUMERS = Docs(
    summary="List the consumers in a consumer group",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("groupname", "string"),
    ),
)

XINFO_GROUPS = Docs(
    summary="List the consumer groups of a stream",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    history=(("7.0.0", "Added the `entries-read` and `lag` fields"),),
    arguments=(Arg("key", "key", key_spec_index=0),),
)

XINFO_HELP = Docs(
    summary="Show helpful text about the different subcommands",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
)

XINFO_STREAM = Docs(
    summary="Get information about a stream",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    history=(
        ("6.0.0", "Added the `FULL` modifier."),
        (
            "7.0.0",
            (
                "Added the `max-deleted-entry-id`, `entries-added`, "
                "`recorded-first-entry-id`, `entries-read` and `lag` fields"
            ),
        ),
    ),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg(
            "full",
            "block",
            token="FULL",
            optional=True,
            arguments=(Arg("count", "integer", token="COUNT", optional=True),),
        ),
    ),
)

XINFO = Docs(
    summary="A container for stream introspection commands",
    since="5.0.0",
    group="stream",
    complexity="Depends on subcommand.",
)

XLEN = Docs(
    summary="Return the number of entries in a stream",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    arguments=(Arg("key", "key", key_spec_index=0),),
)

XPENDING = Docs(
    summary=(
        "Return information and entries from a stream consumer group "
        "pending entries list, that are messages fetched but never "
        "acknowledged."
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "O(N) with N being the number of elements returned, so asking "
        "for a small fixed number of entries per call is O(1). O(M), "
        "where M is the total number of entries scanned when used "
        "with the IDLE filter. When the command returns just the "
        "summary and the list of consumers is small, it runs in O(1) "
        "time; otherwise, an additional O(N) time for iterating every "
        "consumer."
    ),
    history=(("6.2.0", "Added the `IDLE` option and exclusive range intervals."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("group", "string"),
        Arg(
            "filters",
            "block",
            optional=True,
            arguments=(
                Arg("min-idle-time", "integer", token="IDLE", since="6.2.0", optional=True),
                Arg("start", "string"),
                Arg("end", "string"),
                Arg("count", "integer"),
                Arg("consumer", "string", optional=True),
            ),
        ),
    ),
)

XRANGE = Docs(
    summary=(
        "Return a range of elements in a stream, with IDs matching the specified IDs interval"
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "O(N) with N being the number of elements being returned. If "
        "N is constant (e.g. always asking for the first 10 elements "
        "with COUNT), you can consider it O(1)."
    ),
    history=(("6.2.0", "Added exclusive ranges."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("start", "string"),
        Arg("end", "string"),
        Arg("count", "integer", token="COUNT", optional=True),
    ),
)

XREAD = Docs(
    summary=(
        "Return never seen elements in multiple streams, with IDs "
        "greater than the ones reported by the caller for each "
        "stream. Can block."
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "For each stream mentioned: O(N) with N being the number of "
        "elements being returned, it means that XREAD-ing with a "
        "fixed COUNT is O(1). Note that when the BLOCK option is "
        "used, XADD will pay O(M) time in order to serve the M "
        "clients blocked on the stream getting new data."
    ),
    arguments=(
        Arg("count", "integer", token="COUNT", optional=True),
        Arg("milliseconds", "integer", token="BLOCK", optional=True),
        Arg(
            "streams",
            "block",
            token="STREAMS",
            arguments=(
                Arg("key", "key", key_spec_index=0, multiple=True),
                Arg("id", "string", multiple=True),
            ),
        ),
    ),
)

XREADGROUP = Docs(
    summary=(
        "Return new entries from a stream using a consumer group, or "
        "access the history of the pending entries for a given "
        "consumer. Can block."
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "For each stream mentioned: O(M) with M being the number of "
        "elements returned. If M is constant (e.g. always asking for "
        "the first 10 elements with COUNT), you can consider it O(1). "
        "On the other side when XREADGROUP blocks, XADD will pay the "
        "O(N) time in order to serve the N clients blocked on the "
        "stream getting new data."
    ),
    arguments=(
        Arg(
            "group_consumer",
            "block",
            token="GROUP",
            arguments=(
                Arg("group", "string"),
                Arg("consumer", "string"),
            ),
        ),
        Arg("count", "integer", token="COUNT", optional=True),
        Arg("milliseconds", "integer", token="BLOCK", optional=True),
        Arg("noack", "pure-token", token="NOACK", optional=True),
        Arg(
            "streams",
            "block",
            token="STREAMS",
            arguments=(
                Arg("key", "key", key_spec_index=0, multiple=True),
                Arg("id", "string", multiple=True),
            ),
        ),
    ),
)

XREVRANGE = Docs(
    summary=(
        "Return a range of elements in a stream, with IDs matching "
        "the specified IDs interval, in reverse order (from greater "
        "to smaller IDs) compared to XRANGE"
    ),
    since="5.0.0",
    group="stream",
    complexity=(
        "O(N) with N being the number of elements returned. If N is "
        "constant (e.g. always asking for the first 10 elements with "
        "COUNT), you can consider it O(1)."
    ),
    history=(("6.2.0", "Added exclusive ranges."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("end", "string"),
        Arg("start", "string"),
        Arg("count", "integer", token="COUNT", optional=True),
    ),
)

XSETID = Docs(
    summary="An internal command for replicating stream values",
    since="5.0.0",
    group="stream",
    complexity="O(1)",
    history=(("7.0.0", ("Added the `entries_added` and `max_deleted_entry_id` arguments.")),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg("last-id", "string"),
        Arg("entries_added", "integer", token="ENTRIESADDED", since="7.0.0", optional=True),
        Arg("max_deleted_entry_id", "string", token="MAXDELETEDID", since="7.0.0", optional=True),
    ),
)

XTRIM = Docs(
    summary=("Trims the stream to (approximately if '~' is passed) a certain size"),
    since="5.0.0",
    group="stream",
    complexity=(
        "O(N), with N being the number of evicted entries. Constant "
        "times are very small however, since entries are organized in "
        "macro nodes containing multiple entries that can be released "
        "with a single deallocation."
    ),
    history=(("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."),),
    arguments=(
        Arg("key", "key", key_spec_index=0),
        Arg(
            "trim",
            "block",
            arguments=(
                Arg(
                    "strategy",
                    "oneof",
                    arguments=(
                        Arg("maxlen", "pure-token", token="MAXLEN"),
                        Arg("minid", "pure-token", token="MINID", since="6.2.0"),
                    ),
                ),
                Arg(
                    "operator",
                    "oneof",
                    optional=True,
                    arguments=(
                        Arg("equal", "pure-token", token="="),
                        Arg("approximately", "pure-token", token="~"),
                    ),
                ),
                Arg("threshold", "string"),
                Arg("count", "integer", token="LIMIT", since="6.2.0", optional=True),
            ),
        ),
    ),
)
