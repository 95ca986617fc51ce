"""Per-connection client state (what CLIENT LIST shows and MULTI/WATCH/AUTH need)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nodes.acl.user import SUPERUSER, User
from nodes.errors import CommandError

if TYPE_CHECKING:
    from nodes.commands.registry import Command
    from nodes.pubsub import Subscriptions


NORMAL_FLAGS = "N"
MASTER_FLAGS = "M"
REPLICA_FLAGS = "S"
MONITOR_FLAGS = "O"
"""``Client.flags`` of a plain client, our link to our master, a replica's connection to
us, a MONITOR client (the letters CLIENT LIST shows)."""

CLIENT_TYPES = {
    b"normal": "normal",
    b"slave": "replica",
    b"replica": "replica",
    b"pubsub": "pubsub",
    b"master": "master",
}
"""CLIENT KILL / CLIENT LIST type names -> the kind they select (:func:`client_kind`)."""


def client_kind(client: Client) -> str:
    """``normal``, ``replica``, ``pubsub`` or ``master`` (redis's getClientType; a
    MONITOR client is ``normal``)."""
    if client.flags == MASTER_FLAGS:
        return "master"
    if client.flags == REPLICA_FLAGS:
        return "replica"
    if client.pubsub is not None:
        return "pubsub"
    return "normal"


def parse_client_type(name: bytes) -> str:
    """A client type name -> its kind; redis's error for an unknown one."""
    kind = CLIENT_TYPES.get(name.lower())
    if kind is None:
        raise CommandError(b"Unknown client type '" + name + b"'")
    return kind


@dataclass(eq=False, slots=True)
class Client:
    """One client connection's state. Identity-hashed (a WATCH registers the object)."""

    id: int
    addr: str
    laddr: str
    fd: int
    created_ms: int
    resp: int = 2
    name: bytes = b""
    lib_name: bytes = b""
    lib_ver: bytes = b""
    authenticated: bool = True
    multi: list[tuple[Command, list[bytes]]] | None = None
    """Queued commands between MULTI and EXEC (``None`` outside a transaction)."""
    multi_error: bool = False
    """A command was rejected while queueing: EXEC answers EXECABORT."""
    watched: list[bytes] = field(default_factory=list)
    dirty_cas: bool = False
    """A WATCHed key changed: EXEC answers a null array."""
    close_after_reply: bool = False
    last_command: bytes = b"NULL"
    last_interaction_ms: int = 0
    query_buffer: int = 0
    output_buffer: int = 0
    flags: str = "N"
    woff: int = 0
    """The replication offset right after this client's last propagated write (WAIT)."""
    pubsub: Subscriptions | None = None
    """Channels, patterns and shard channels subscribed to (``None``: not in pub/sub mode)."""
    db: int = 0
    """The database SELECTed (its keyspace is the command context's ``keyspace``)."""
    reply_mode: str = "on"
    """CLIENT REPLY: ``on``, ``off``, ``skip-next`` (set by SKIP), ``skip`` (this
    command's reply is dropped)."""
    script: bool = False
    """The client scripts' ``redis.call`` runs as (redis's ``CLIENT_SCRIPT``)."""
    user: User = SUPERUSER
    """The ACL user (a connection starts as the default user; internal clients run as
    :data:`nodes.acl.user.SUPERUSER`)."""
