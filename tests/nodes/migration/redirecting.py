"""A minimal cluster client for migration tests: it follows MOVED / ASK / TRYAGAIN
itself and records every error reply it saw, so a test can assert that a reshard only
ever produced redirections."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import redis

from nodes.keyslot import keyslot

REDIRECTIONS = frozenset({"MOVED", "ASK", "TRYAGAIN"})
MAX_HOPS = 60


def _kind(exc: redis.ResponseError) -> str:
    """The error's first word as the server sent it (redis-py strips it from redirections)."""
    if isinstance(exc, redis.exceptions.MovedError):
        return "MOVED"
    if isinstance(exc, redis.exceptions.AskError):
        return "ASK"
    if isinstance(exc, redis.exceptions.TryAgainError):
        return "TRYAGAIN"
    return str(exc).split(" ", 1)[0]


@dataclass
class RedirectingClient:
    """One connection per node (not shared between threads: make one client per thread)."""

    seed_port: int
    rng: random.Random
    seen: Counter[str] = field(default_factory=Counter)
    """Error kinds seen (first word of the error text), including redirections."""
    others: list[str] = field(default_factory=list)
    """Full text of every error that is not a redirection."""
    slots: dict[int, int] = field(default_factory=dict)
    conns: dict[int, redis.Redis] = field(default_factory=dict)

    def _conn(self, port: int) -> redis.Redis:
        conn = self.conns.get(port)
        if conn is None:
            conn = redis.Redis(
                host="127.0.0.1", port=port, socket_timeout=30, single_connection_client=True
            )
            self.conns[port] = conn
        return conn

    def refresh(self) -> None:
        reply = self._conn(self.seed_port).execute_command("CLUSTER", "SLOTS")  # type: ignore[no-untyped-call]
        for start, end, master, *_ in reply:
            for slot in range(int(start), int(end) + 1):
                self.slots[slot] = int(master[1])

    def call(self, *args: str) -> Any:
        """Run a one-key command (key at ``args[1]``) following redirections."""
        slot = keyslot(args[1].encode())
        if not self.slots:
            self.refresh()
        port = self.slots[slot]
        asking = False
        for _ in range(MAX_HOPS):
            conn = self._conn(port)
            try:
                if asking:
                    conn.execute_command("ASKING")  # type: ignore[no-untyped-call]
                return conn.execute_command(*args)  # type: ignore[no-untyped-call]
            except redis.ResponseError as exc:
                kind = _kind(exc)
                self.seen[kind] += 1
                asking = False
                if isinstance(exc, redis.exceptions.AskError):  # MovedError is one too
                    port = exc.port
                    if kind == "MOVED":
                        self.slots[slot] = port
                    else:
                        asking = True
                elif kind == "TRYAGAIN":
                    time.sleep(0.005)  # back-off before retrying, not synchronisation
                    port = self.slots[slot]
                else:
                    self.others.append(str(exc))
                    raise
        raise RuntimeError(f"more than {MAX_HOPS} redirections for {args!r}")

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


@dataclass
class Workload:
    """A writer of unique keys and a reader of acknowledged ones, each in its own thread,
    bounded by ``max_ops`` and by :meth:`stop`."""

    seed_port: int
    seed: int
    max_ops: int = 200_000
    acked: list[int] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)
    reads: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def key(self, i: int) -> str:
        return f"mig:{self.seed}:{i}"

    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._write, daemon=True),
            threading.Thread(target=self._read, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            assert not thread.is_alive(), "workload thread did not stop"

    def _finish(self, client: RedirectingClient) -> None:
        with self._lock:
            self.seen.update(client.seen)
            self.errors.extend(client.others)
        client.close()

    def _write(self) -> None:
        client = RedirectingClient(self.seed_port, random.Random(self.seed))
        try:
            for i in range(self.max_ops):
                if self._stop.is_set():
                    break
                try:
                    reply = client.call("SET", self.key(i), f"v{i}")
                except (redis.RedisError, RuntimeError) as exc:
                    self.errors.append(f"SET {self.key(i)}: {exc}")
                    continue
                if reply is True or reply == b"OK":
                    with self._lock:
                        self.acked.append(i)
        finally:
            self._finish(client)

    def _read(self) -> None:
        rng = random.Random(self.seed + 1)
        client = RedirectingClient(self.seed_port, rng)
        try:
            for _ in range(self.max_ops):
                if self._stop.is_set():
                    break
                with self._lock:
                    i = self.acked[rng.randrange(len(self.acked))] if self.acked else -1
                if i < 0:
                    time.sleep(0.01)  # nothing acknowledged yet: poll again
                    continue
                try:
                    value = client.call("GET", self.key(i))
                except (redis.RedisError, RuntimeError) as exc:
                    self.errors.append(f"GET {self.key(i)}: {exc}")
                    continue
                self.reads += 1
                if value != f"v{i}".encode():
                    self.lost.append(f"{self.key(i)} read {value!r}")
        finally:
            self._finish(client)

    def verify_all(self) -> list[str]:
        """Read back every acknowledged key; the ones that are missing or wrong."""
        client = RedirectingClient(self.seed_port, random.Random(self.seed))
        wrong = []
        try:
            for i in self.acked:
                value = client.call("GET", self.key(i))
                if value != f"v{i}".encode():
                    wrong.append(f"{self.key(i)}={value!r}")
        finally:
            self._finish(client)
        return wrong
