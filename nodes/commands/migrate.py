"""DUMP, RESTORE, RESTORE-ASKING, MIGRATE and CLUSTER SETSLOT, with redis-server 7.0's
replies and errors.

The payload is redis's (:mod:`nodes.rdb.payload`: RDB value encoding, version 10,
CRC-64), so DUMP, RESTORE and MIGRATE work between splitbrain-server and redis-server
in both directions.

MIGRATE blocks the server while it talks to the target (as Redis does), which makes each
key's move atomic; a key is deleted here only after the target acknowledged it, and the
deletion propagates as ``DEL`` to the AOF and replicas. RESTORE propagates with an
absolute TTL (``ABSTTL``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nodes.cluster.admin import ClusterCommandError
from nodes.cluster.component import component_of
from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import KeySpec, command
from nodes.errors import CommandError, NodeError, SyntaxErr
from nodes.keyslot import HASH_SLOTS
from nodes.migration import setslot
from nodes.migration.links import LinkTimeout, TargetLink, TargetLinks
from nodes.rdb import payload as payloads
from nodes.resp.values import OK, Reply, Simple

if TYPE_CHECKING:
    from nodes.server import Server

BUSYKEY = b"BUSYKEY Target key name already exists."
BAD_PAYLOAD = "DUMP payload version or checksum are wrong"
NOKEY = Simple(b"NOKEY")

# ---- DUMP / RESTORE -----------------------------------------------------------------


@command("dump", 2, "readonly", keys=(1, 1, 1), acl="@keyspace @read @slow", key_flags="RO access")
def dump(ctx: CommandContext, argv: list[bytes]) -> Reply:
    keyspace = ctx.keyspace
    value = keyspace.get(argv[1])
    if value is None:
        return None
    return payloads.encode(value)


def _restore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    replace = absttl = False
    idle = freq = -1
    j = 4
    while j < len(argv):
        opt = argv[j].lower()
        more = len(argv) - j - 1
        if opt == b"replace":
            replace = True
        elif opt == b"absttl":
            absttl = True
        elif opt == b"idletime" and more >= 1 and freq == -1:
            idle = parse_int(argv[j + 1])
            if idle < 0:
                raise CommandError("Invalid IDLETIME value, must be >= 0")
            j += 1
        elif opt == b"freq" and more >= 1 and idle == -1:
            freq = parse_int(argv[j + 1])
            if not 0 <= freq <= 255:
                raise CommandError("Invalid FREQ value, must be >= 0 and <= 255")
            j += 1
        else:
            raise SyntaxErr()
        j += 1
    keyspace = ctx.keyspace
    key = argv[1]
    if not replace and key in keyspace:
        raise NodeError(BUSYKEY)
    ttl = parse_int(argv[2])
    if ttl < 0:
        raise CommandError("Invalid TTL value, must be >= 0")
    payload = argv[3]
    if not payloads.verify(payload):
        raise CommandError(BAD_PAYLOAD)
    try:
        value = payloads.decode(payload)
    except payloads.BadPayload:
        raise CommandError("Bad data format") from None
    deleted = keyspace.delete(key) if replace else False
    now = ctx.now_ms()
    if ttl and not absttl:
        ttl += now
    if ttl and keyspace.expire_enabled and ttl <= now:
        if deleted:
            ctx.propagate_as([b"DEL", key])
        return OK
    keyspace.set(key, value)
    if ttl:
        keyspace.set_expire_at(key, ttl)
        if not absttl:
            ctx.propagate_as([argv[0], key, str(ttl).encode(), *argv[3:], b"ABSTTL"])
    return OK


_RESTORE_FLAGS = "write denyoom"
_RESTORE_ACL = "@keyspace @write @slow @dangerous"


@command("restore", -4, _RESTORE_FLAGS, keys=(1, 1, 1), acl=_RESTORE_ACL, key_flags="OW update")
def restore(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _restore(ctx, argv)


@command(
    "restore-asking",
    -4,
    f"{_RESTORE_FLAGS} asking",
    keys=(1, 1, 1),
    acl=_RESTORE_ACL,
    key_flags="OW update",
)
def restore_asking(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _restore(ctx, argv)


# ---- MIGRATE --------------------------------------------------------------------------

_LINKS: dict[int, TargetLinks] = {}
_SWEEPS: dict[int, asyncio.TimerHandle] = {}


def links_of(server: Server) -> TargetLinks:
    """The server's MIGRATE connection cache (created on first use)."""
    links = _LINKS.get(id(server))
    if links is None:
        links = _LINKS[id(server)] = TargetLinks(server.clock_ms)
    return links


def _schedule_sweep(server: Server, links: TargetLinks) -> None:
    """Close idle target connections once a second while any is open."""
    key = id(server)
    if key in _SWEEPS or not links.links:
        return

    def sweep() -> None:
        _SWEEPS.pop(key, None)
        links.close_idle()
        _schedule_sweep(server, links)

    _SWEEPS[key] = server.loop.call_later(1.0, sweep)


def migrate_keys(argv: Sequence[bytes]) -> list[int]:
    """Key positions: the key argument, or everything after ``KEYS`` (none when the key
    argument is not empty then, as redis 7.0's ``migrateGetKeys``)."""
    if len(argv) > 6:
        for i in range(6, len(argv)):
            if argv[i].lower() == b"keys":
                if argv[3]:
                    return []
                return list(range(i + 1, len(argv)))
    return [3] if len(argv) > 3 else []


def _bulk(*parts: bytes) -> bytes:
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class _Options:
    __slots__ = ("copy", "first", "password", "replace", "username")

    def __init__(self, argv: list[bytes]) -> None:
        self.copy = self.replace = False
        self.username: bytes | None = None
        self.password: bytes | None = None
        self.first = 3
        j = 6
        while j < len(argv):
            opt = argv[j].lower()
            more = len(argv) - 1 - j
            if opt == b"copy":
                self.copy = True
            elif opt == b"replace":
                self.replace = True
            elif opt == b"auth":
                if not more:
                    raise SyntaxErr()
                j += 1
                self.password = argv[j]
            elif opt == b"auth2":
                if more < 2:
                    raise SyntaxErr()
                self.username, self.password = argv[j + 1], argv[j + 2]
                j += 2
            elif opt == b"keys":
                if argv[3]:
                    raise CommandError(
                        "When using MIGRATE KEYS option, the key argument"
                        " must be set to the empty string"
                    )
                self.first = j + 1
                return
            else:
                raise SyntaxErr()
            j += 1


class _IOFailure(Exception):
    def __init__(self, writing: bool, timed_out: bool) -> None:
        super().__init__("writing" if writing else "reading")
        self.writing = writing
        self.timed_out = timed_out


@command(
    "migrate",
    -6,
    "write",
    keys=(3, 3, 1),
    getkeys=migrate_keys,
    acl="@keyspace @write @slow @dangerous",
    tips="nondeterministic_output",
    key_specs=(
        KeySpec(("RW", "access", "delete", "incomplete"), begin_index=3),
        KeySpec(
            ("RW", "access", "delete"),
            begin_keyword=b"KEYS",
            keyword_start=-2,
            lastkey=-1,
        ),
    ),
)
def migrate(ctx: CommandContext, argv: list[bytes]) -> Reply:
    opts = _Options(list(argv))
    timeout = parse_int(argv[5])
    dbid = parse_int(argv[4])
    if timeout <= 0:
        timeout = 1000
    keyspace = ctx.keyspace
    names = argv[opts.first :] if opts.first != 3 else argv[3:4]
    keys = [k for k in names if k in keyspace]
    if not keys:
        return NOKEY
    host = argv[1].decode(errors="replace")
    port = parse_int(argv[2]) if argv[2].isdigit() else 0
    job = _Job(host, port, dbid, timeout, keys, opts)
    links = links_of(ctx.server)
    try:
        return _migrate(ctx, links, job)
    finally:
        _schedule_sweep(ctx.server, links)


@dataclass(frozen=True, slots=True)
class _Job:
    host: str
    port: int
    dbid: int
    timeout: int
    keys: list[bytes]
    opts: _Options


def _migrate(ctx: CommandContext, links: TargetLinks, job: _Job) -> Reply:
    may_retry = True
    while True:
        try:
            link, _fresh = links.get(job.host, job.port, job.timeout)
        except OSError:
            raise NodeError(b"IOERR error or timeout connecting to the client") from None
        try:
            return _transfer(ctx, link, job, may_retry=may_retry)
        except _IOFailure as failure:
            links.close(job.host, job.port)
            if may_retry and not failure.timed_out:
                may_retry = False
                continue
            what = "writing" if failure.writing else "reading"
            raise NodeError(f"IOERR error or timeout {what} to target instance") from None


def _transfer(ctx: CommandContext, link: TargetLink, job: _Job, *, may_retry: bool) -> Reply:
    """One attempt: send AUTH/SELECT/RESTOREs in one write, read the replies, delete
    what the target acknowledged. Raises :class:`_IOFailure` on a socket problem."""
    keyspace = ctx.keyspace
    opts, dbid, timeout = job.opts, job.dbid, job.timeout
    now = ctx.now_ms()
    parts: list[bytes] = []
    if opts.password is not None:
        if opts.username is not None:
            parts.append(_bulk(b"AUTH", opts.username, opts.password))
        else:
            parts.append(_bulk(b"AUTH", opts.password))
    select = link.last_dbid != dbid
    if select:
        parts.append(_bulk(b"SELECT", str(dbid).encode()))
    name = b"RESTORE-ASKING" if ctx.server.cluster_enabled else b"RESTORE"
    moving: list[bytes] = []
    for key in job.keys:
        value = keyspace.get(key)
        if value is None:
            continue
        when = keyspace.expire_time(key)
        ttl = 0
        if when is not None:
            ttl = when - now
            if ttl < 0:
                continue
            ttl = max(ttl, 1)
        payload = payloads.encode(value)
        args = [name, key, str(ttl).encode(), payload]
        if opts.replace:
            args.append(b"REPLACE")
        parts.append(_bulk(*args))
        moving.append(key)
    try:
        link.send(b"".join(parts), timeout)
    except OSError as exc:
        raise _IOFailure(writing=True, timed_out=isinstance(exc, LinkTimeout)) from None
    try:
        auth_reply = link.read_line(timeout) if opts.password is not None else b"+OK"
        select_reply = link.read_line(timeout) if select else b"+OK"
    except OSError as exc:
        raise _IOFailure(writing=False, timed_out=isinstance(exc, LinkTimeout)) from None
    error: bytes | None = None
    deleted: list[bytes] = []
    failure: _IOFailure | None = None
    for index, key in enumerate(moving):
        try:
            reply = link.read_line(timeout)
        except OSError as exc:
            timed_out = isinstance(exc, LinkTimeout)
            if error is None and index == 0 and may_retry and not timed_out:
                raise _IOFailure(writing=False, timed_out=False) from None
            failure = _IOFailure(writing=False, timed_out=True)
            break
        bad = next((r for r in (auth_reply, select_reply, reply) if r[:1] == b"-"), None)
        if bad is not None:
            if error is None:
                link.last_dbid = -1
                error = bad[1:]
        elif not opts.copy:
            keyspace.delete(key)
            deleted.append(key)
    if deleted:
        ctx.propagate_as([b"DEL", *deleted])
    if error is None and failure is not None:
        raise failure
    if error is not None:
        raise NodeError(b"ERR Target instance replied with error: " + error)
    link.last_dbid = dbid
    return OK


# ---- CLUSTER SETSLOT ------------------------------------------------------------------


@command(
    "setslot",
    -4,
    "admin stale no_async_loading",
    acl="@admin @slow @dangerous",
    parent="cluster",
)
def cluster_setslot(ctx: CommandContext, argv: list[bytes]) -> Reply:
    component = component_of(ctx.server)
    if component is None:
        raise CommandError("This instance has cluster support disabled")
    engine = component.engine
    try:
        setslot.require_master(engine)
        try:
            slot = parse_int(argv[2])
        except NodeError:
            slot = -1
        if not 0 <= slot < HASH_SLOTS:
            raise CommandError("Invalid or out of range slot")
        action = argv[3].lower()
        node_id = argv[4].decode(errors="replace") if len(argv) == 5 else ""
        if action == b"migrating" and len(argv) == 5:
            setslot.migrating(engine, slot, node_id)
        elif action == b"importing" and len(argv) == 5:
            setslot.importing(engine, slot, node_id)
        elif action == b"stable" and len(argv) == 4:
            setslot.stable(engine, slot)
        elif action == b"node" and len(argv) == 5:
            setslot.assign(engine, slot, node_id, ctx.keyspace.count_keys_in_slot)
        else:
            raise CommandError(setslot.INVALID_ACTION)
    except ClusterCommandError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.after_command()
    return OK
