"""Per-connection client state (what CLIENT LIST shows and MULTI/WATCH/AUTH need)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nodes.acl.user import SUPERUSER, User

if TYPE_CHECKING:
    from nodes.commands.registry import Command


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
    db: int = 0
    """The database SELECTed (its keyspace is the command context's ``keyspace``)."""
    user: User = SUPERUSER
    """The ACL user (a connection starts as the default user; internal clients run as
    :data:`nodes.acl.user.SUPERUSER`)."""
