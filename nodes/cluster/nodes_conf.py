"""``nodes.conf``: parse, render, save atomically, and lock against a second process.

The file is what Redis 7.0 writes: one CLUSTER NODES line per known node (handshake
nodes excluded) and a last line ``vars currentEpoch N lastVoteEpoch N``. We save through a
temporary file, ``fsync``, ``rename`` and an ``fsync`` of the directory, so a crash leaves
the old or the new file, never half of one (Redis 7.0 rewrites in place). A sibling
``<file>.lock`` held with ``flock`` keeps a second process off the same file for as long
as the first one lives (the rename would defeat a lock on the config file itself).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from nodes.cluster.wire import NodeFlag
from nodes.disk import Disk
from nodes.keyslot import HASH_SLOTS

FLAG_NAMES: tuple[tuple[NodeFlag, str], ...] = (
    (NodeFlag.MYSELF, "myself"),
    (NodeFlag.MASTER, "master"),
    (NodeFlag.SLAVE, "slave"),
    (NodeFlag.PFAIL, "fail?"),
    (NodeFlag.FAIL, "fail"),
    (NodeFlag.HANDSHAKE, "handshake"),
    (NodeFlag.NOADDR, "noaddr"),
    (NodeFlag.NOFAILOVER, "nofailover"),
)
_FLAG_BY_NAME = {name: flag for flag, name in FLAG_NAMES}
_FLAG_BY_NAME["noflags"] = NodeFlag.NONE


class NodesConfError(Exception):
    """nodes.conf cannot be used (corrupt, unreadable, or locked): the operator's problem."""


class CorruptNodesConf(NodesConfError):
    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"corrupt cluster config file {path}, line {line}: {reason}")
        self.path = path
        self.line = line


class NodesConfLocked(NodesConfError):
    pass


def flags_text(flags: NodeFlag) -> str:
    names = [name for flag, name in FLAG_NAMES if flags & flag]
    return ",".join(names) if names else "noflags"


def parse_flags(text: str) -> NodeFlag:
    flags = NodeFlag.NONE
    for name in text.split(","):
        try:
            flags |= _FLAG_BY_NAME[name]
        except KeyError:
            raise ValueError(f"unknown node flag {name!r}") from None
    return flags


@dataclass(frozen=True, slots=True)
class NodeRecord:
    node_id: str
    ip: str
    port: int
    cport: int
    hostname: str
    flags: NodeFlag
    master_id: str | None
    ping_sent: int
    pong_received: int
    config_epoch: int
    slots: int
    migrating: tuple[tuple[int, str], ...] = ()
    importing: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NodesConf:
    nodes: tuple[NodeRecord, ...] = ()
    current_epoch: int = 0
    last_vote_epoch: int = 0
    myself: NodeRecord | None = field(default=None)


def _parse_address(text: str) -> tuple[str, int, int, str]:
    addr, _, hostname = text.partition(",")
    hostport, at, cport_text = addr.partition("@")
    ip, colon, port_text = hostport.rpartition(":")
    if not colon:
        raise ValueError(f"address {text!r} has no port")
    port = int(port_text)
    cport = int(cport_text) if at else port + 10000
    if not (0 <= port <= 65535 and 0 <= cport <= 65535):
        raise ValueError(f"port out of range in {text!r}")
    return ip, port, cport, hostname


def _slot(text: str) -> int:
    slot = int(text)
    if not 0 <= slot < HASH_SLOTS:
        raise ValueError(f"slot {slot} out of range")
    return slot


def _parse_node_line(parts: list[str]) -> NodeRecord:
    if len(parts) < 8:
        raise ValueError(f"a node line needs at least 8 fields, got {len(parts)}")
    node_id = parts[0]
    if len(node_id) != 40:
        raise ValueError(f"node id {node_id!r} is not 40 characters")
    ip, port, cport, hostname = _parse_address(parts[1])
    flags = parse_flags(parts[2])
    master_id = None if parts[3] == "-" else parts[3]
    if master_id is not None and len(master_id) != 40:
        raise ValueError(f"master id {master_id!r} is not 40 characters")
    ping_sent, pong_received, epoch = int(parts[4]), int(parts[5]), int(parts[6])
    if parts[7] not in ("connected", "disconnected"):
        raise ValueError(f"link state {parts[7]!r}")
    mask = 0
    migrating: list[tuple[int, str]] = []
    importing: list[tuple[int, str]] = []
    for token in parts[8:]:
        if token.startswith("["):
            if not token.endswith("]"):
                raise ValueError(f"open slot {token!r}")
            inner = token[1:-1]
            if "->-" in inner:
                slot_text, other = inner.split("->-", 1)
                migrating.append((_slot(slot_text), other))
            elif "-<-" in inner:
                slot_text, other = inner.split("-<-", 1)
                importing.append((_slot(slot_text), other))
            else:
                raise ValueError(f"open slot {token!r}")
            continue
        start_text, dash, end_text = token.partition("-")
        start = _slot(start_text)
        end = _slot(end_text) if dash else start
        if end < start:
            raise ValueError(f"slot range {token!r} is reversed")
        mask |= ((1 << (end - start + 1)) - 1) << start
    return NodeRecord(
        node_id,
        ip,
        port,
        cport,
        hostname,
        flags,
        master_id,
        ping_sent,
        pong_received,
        epoch,
        mask,
        tuple(migrating),
        tuple(importing),
    )


def parse(text: str, path: Path) -> NodesConf:
    """Parse nodes.conf text; :class:`CorruptNodesConf` names the first bad line."""
    records: list[NodeRecord] = []
    current_epoch = last_vote = 0
    myself = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "vars":
                if len(parts) % 2 != 1:
                    raise ValueError("vars needs name value pairs")
                for name, value in zip(parts[1::2], parts[2::2], strict=True):
                    if name == "currentEpoch":
                        current_epoch = int(value)
                    elif name == "lastVoteEpoch":
                        last_vote = int(value)
                    else:
                        raise ValueError(f"unknown variable {name!r}")
                continue
            record = _parse_node_line(parts)
        except ValueError as exc:
            raise CorruptNodesConf(path, lineno, str(exc)) from None
        if record.flags & NodeFlag.MYSELF:
            if myself is not None:
                raise CorruptNodesConf(path, lineno, "a second node flagged myself")
            myself = record
        records.append(record)
    if records and myself is None:
        raise CorruptNodesConf(path, 1, "no node is flagged myself")
    return NodesConf(tuple(records), current_epoch, last_vote, myself)


def load(path: Path) -> NodesConf | None:
    """The saved configuration, or ``None`` when the file is absent or empty (a new node)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise NodesConfError(f"cannot read cluster config file {path}: {exc}") from None
    if not text.strip():
        return None
    return parse(text, path)


def render(lines: list[str], current_epoch: int, last_vote_epoch: int) -> str:
    body = "".join(line + "\n" for line in lines)
    return body + f"vars currentEpoch {current_epoch} lastVoteEpoch {last_vote_epoch}\n"


def save(path: Path, content: str, disk: Disk | None = None, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``content`` atomically through ``disk`` (tmp file, fsync,
    rename, dir fsync; no fsyncs with ``fsync`` False)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    (disk or Disk()).write_atomically(path, tmp, lambda f: f.write(content.encode()), fsync=fsync)


@dataclass(eq=False)
class ConfigLock:
    """An exclusive ``flock`` on ``<config>.lock``, held until :meth:`release`."""

    path: Path
    fd: int = -1

    def acquire(self) -> ConfigLock:
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise NodesConfLocked(
                f"the cluster config file {self.path} is already used by another node "
                f"(lock {lock_path} is held); give each node its own cluster-config-file"
            ) from None
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1
