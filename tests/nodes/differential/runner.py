"""Command scripts as data, run against two servers in lock step, replies compared.

A :class:`Script` is a named list of :class:`Step` values. Each step sends one command
(or raw bytes) on one of several client connections; the runner sends it to
redis-server and to splitbrain-server alternately, step by step, so that
time-sensitive replies (TTL) are taken at nearly the same moment on both.

Replies are compared byte for byte unless the step names a looser comparison, and a
loose step must say why (Redis leaves that order unspecified, the value is a clock).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tests.nodes.differential.framing import Reply, ReplyReader

Comparison = Callable[[Reply, Reply], bool]

REPLY_TIMEOUT = 10.0
UNTIL_DEADLINE = 5.0


def exact(a: Reply, b: Reply) -> bool:
    """Byte-identical replies."""
    return a.raw == b.raw


def unordered(a: Reply, b: Reply) -> bool:
    """Same aggregate type and the same elements in any order (each element exact)."""
    if not (a.is_aggregate and b.is_aggregate) or a.value is not None:
        return a.raw == b.raw
    return a.kind == b.kind and sorted(i.raw for i in a.items) == sorted(i.raw for i in b.items)


def unordered_pairs(a: Reply, b: Reply) -> bool:
    """Same aggregate of key/value pairs (a map, or a flat array of pairs) in any order."""

    def pairs(r: Reply) -> list[bytes]:
        it = iter(r.items)
        return sorted(k.raw + v.raw for k, v in zip(it, it, strict=True))

    if not (a.is_aggregate and b.is_aggregate):
        return a.raw == b.raw
    if len(a.items) % 2 or len(b.items) % 2:
        return False
    return a.kind == b.kind and pairs(a) == pairs(b)


def scan_page(a: Reply, b: Reply) -> bool:
    """A SCAN reply: the cursor exactly, the page's keys in any order."""
    if len(a.items) != 2 or len(b.items) != 2:
        return a.raw == b.raw
    return exact(a.items[0], b.items[0]) and unordered(a.items[1], b.items[1])


def within(tolerance: int) -> Comparison:
    """Integer replies that differ by at most ``tolerance`` (clocks); others exact."""

    def same(a: Reply, b: Reply) -> bool:
        if a.kind == b.kind == ":" and a.value is not None and b.value is not None:
            return abs(int(a.value) - int(b.value)) <= tolerance
        return a.raw == b.raw

    return same


def same_kind(a: Reply, b: Reply) -> bool:
    """Only the reply type must agree (the content is server-specific, e.g. INFO)."""
    return a.kind == b.kind


def except_fields(*names: bytes) -> Comparison:
    """A map (or flat array of pairs) compared exactly, except the values of ``names``
    (which must still be present with the same reply type: e.g. HELLO's client id)."""

    def same(a: Reply, b: Reply) -> bool:
        if not (a.is_aggregate and b.is_aggregate) or len(a.items) != len(b.items):
            return a.raw == b.raw
        if a.kind != b.kind:
            return False
        for i, (x, y) in enumerate(zip(a.items, b.items, strict=True)):
            loose = i % 2 == 1 and a.items[i - 1].value in names
            if not (x.kind == y.kind if loose else x.raw == y.raw):
                return False
        return True

    return same


def info_sections(a: Reply, b: Reply) -> bool:
    """INFO text: the same ``# Section`` headers in the same order (the values are
    server state; the fields each section lists are the core's choice)."""

    def headers(r: Reply) -> list[bytes] | None:
        if r.value is None or r.kind not in "$=":
            return None
        return [line for line in r.value.split(b"\r\n") if line.startswith(b"# ")]

    return a.kind == b.kind and headers(a) == headers(b)


def deliberately(ours: bytes) -> Comparison:
    """A deviation from redis-server 7.0 that the issue allows: the reply may be
    redis-server's or exactly ``ours`` (the step's ``why`` names the reason)."""

    def same(a: Reply, b: Reply) -> bool:
        return b.raw in (a.raw, ours)

    return same


def deliberately_an_error(a: Reply, b: Reply) -> bool:
    """A deviation the issue asks for: our reply may be redis-server's or any error."""
    return b.raw == a.raw or b.kind == "-"


def each_item(inner: Comparison) -> Comparison:
    """An aggregate whose items pairwise satisfy ``inner`` (e.g. an EXEC reply)."""

    def same(a: Reply, b: Reply) -> bool:
        if not (a.is_aggregate and b.is_aggregate) or len(a.items) != len(b.items):
            return a.raw == b.raw
        return a.kind == b.kind and all(inner(x, y) for x, y in zip(a.items, b.items, strict=True))

    return same


Arg = str | bytes | int | float


def _encode(arg: Arg) -> bytes:
    if isinstance(arg, bytes):
        return arg
    return str(arg).encode()


@dataclass(frozen=True, slots=True)
class Step:
    """One request on one client connection and how its replies are compared.

    ``until``: resend the command until the reply is exactly these bytes (or 5 s pass),
    for conditions that become true with time (expiry). ``raw``: send these bytes instead
    of a multibulk request (inline commands, protocol errors). ``closes``: the server
    must close this connection after replying; the next step on it reconnects.
    """

    args: tuple[bytes, ...]
    same: Comparison = exact
    client: int = 0
    until: bytes | None = None
    raw: bytes | None = None
    closes: bool = False
    replies: int = 1
    why: str = ""
    blocked: int | None = None
    """Send nothing: wait (up to 5 s) until INFO shows this many ``blocked_clients``."""

    def request(self) -> bytes:
        if self.raw is not None:
            return self.raw
        parts = [b"*%d\r\n" % len(self.args)]
        for a in self.args:
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(parts)

    def describe(self) -> str:
        if self.blocked is not None:
            return f"wait until {self.blocked} clients are blocked"
        if self.raw == b"":
            return f"[c{self.client}] read {self.replies} replies"
        if self.raw is not None:
            return f"raw {self.raw!r}"
        shown = " ".join(a.decode(errors="replace") for a in self.args)
        return f"[c{self.client}] {shown}" if self.client else shown


def cmd(*args: Arg, same: Comparison = exact, client: int = 0, why: str = "") -> Step:
    """A command step; a loose ``same`` needs a ``why``."""
    if same is not exact and not why:
        raise ValueError(f"step {args!r}: a loose comparison must say why")
    return Step(tuple(_encode(a) for a in args), same=same, client=client, why=why)


def until(expected: bytes, *args: Arg, client: int = 0) -> Step:
    """Repeat a command until its reply is ``expected`` on each server."""
    return Step(tuple(_encode(a) for a in args), client=client, until=expected)


def send(*args: Arg, client: int = 0) -> Step:
    """Send a command without reading its reply (a blocking command; read it later with
    :func:`receive`)."""
    return Step(tuple(_encode(a) for a in args), client=client, replies=0)


def receive(client: int = 0, replies: int = 1) -> Step:
    """Read the next ``replies`` replies of ``client`` without sending anything (pub/sub
    messages, the reply of a command sent with :func:`send`)."""
    return Step((), raw=b"", client=client, replies=replies)


def wait_blocked(count: int) -> Step:
    """Wait until ``count`` clients are blocked (INFO ``blocked_clients``), no sleeps."""
    return Step((), blocked=count)


def raw(data: bytes, *, closes: bool = False, replies: int = 1, client: int = 0) -> Step:
    """Send bytes as they are (inline commands, pipelines, malformed input), then read
    ``replies`` replies (compared as their concatenation)."""
    return Step((), raw=data, closes=closes, replies=replies, client=client)


@dataclass(frozen=True, slots=True)
class Script:
    """A named sequence of steps, run on fresh connections after FLUSHALL."""

    name: str
    steps: tuple[Step, ...]


def script(name: str, *steps: Step) -> Script:
    return Script(name, steps)


@dataclass
class _Client:
    sock: socket.socket
    reader: ReplyReader


@dataclass
class Session:
    """The client connections of one script to one server."""

    port: int
    clients: dict[int, _Client] = field(default_factory=dict)

    def _client(self, n: int) -> _Client:
        c = self.clients.get(n)
        if c is None:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=REPLY_TIMEOUT)
            c = self.clients[n] = _Client(sock, ReplyReader(sock))
        return c

    def drop(self, n: int) -> None:
        c = self.clients.pop(n, None)
        if c is not None:
            c.sock.close()

    def close(self) -> None:
        for n in list(self.clients):
            self.drop(n)

    def wait_blocked(self, count: int) -> Reply | str:
        """Poll INFO clients until ``blocked_clients`` is ``count`` (5 s deadline)."""
        want = b"blocked_clients:%d\r\n" % count
        deadline = time.monotonic() + UNTIL_DEADLINE
        with socket.create_connection(("127.0.0.1", self.port), timeout=REPLY_TIMEOUT) as sock:
            reader = ReplyReader(sock)
            while True:
                sock.sendall(b"*2\r\n$4\r\nINFO\r\n$7\r\nclients\r\n")
                info = reader.read()
                if want in (info.value or b""):
                    return Reply("+", b"+OK\r\n", b"OK")
                if time.monotonic() > deadline:
                    return f"never {count} blocked clients"
                time.sleep(0.005)

    def call(self, step: Step) -> Reply | str:
        """The reply to ``step``, or a description of what went wrong instead."""
        if step.blocked is not None:
            return self.wait_blocked(step.blocked)
        try:
            c = self._client(step.client)
            c.sock.sendall(step.request())
            if step.replies == 0:
                return Reply("+", b"", b"")
            reply = c.reader.read()
            if step.replies > 1:
                more = [reply] + [c.reader.read() for _ in range(step.replies - 1)]
                reply = Reply("*", b"".join(r.raw for r in more), None, tuple(more))
        except TimeoutError:
            self.drop(step.client)
            return f"no reply within {REPLY_TIMEOUT}s"
        except OSError as e:
            self.drop(step.client)
            return f"connection error: {e}"
        if step.closes:
            closed = c.reader.at_eof()
            self.drop(step.client)
            if not closed:
                return f"{reply.text()} (connection left open)"
        elif step.args and step.args[0].upper() == b"QUIT":
            self.drop(step.client)
        return reply

    def call_until(self, step: Step) -> Reply | str:
        deadline = time.monotonic() + UNTIL_DEADLINE
        while True:
            got = self.call(step)
            if isinstance(got, str) or got.raw == step.until or time.monotonic() > deadline:
                return got
            time.sleep(0.01)


def flushall(port: int) -> None:
    """FLUSHALL on a fresh connection (``SCRIPT``-independent reset between scripts)."""
    with socket.create_connection(("127.0.0.1", port), timeout=REPLY_TIMEOUT) as sock:
        sock.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        reply = ReplyReader(sock).read()
        if reply.raw != b"+OK\r\n":
            raise RuntimeError(f"FLUSHALL on port {port} answered {reply.text()}")


@dataclass(frozen=True, slots=True)
class Difference:
    index: int
    step: Step
    theirs: Reply | str
    ours: Reply | str

    def __str__(self) -> str:
        def show(r: Reply | str) -> str:
            return r.text() if isinstance(r, Reply) else f"<{r}>"

        how = f" (compared loosely: {self.step.why})" if self.step.why else ""
        return (
            f"step {self.index}: {self.step.describe()}{how}\n"
            f"    redis-server:     {show(self.theirs)}\n"
            f"    splitbrain-server: {show(self.ours)}"
        )


def _agree(step: Step, theirs: Reply | str, ours: Reply | str) -> bool:
    if isinstance(theirs, str) or isinstance(ours, str):
        return theirs == ours
    return step.same(theirs, ours)


def run_pair(s: Script, redis_port: int, our_port: int) -> list[Difference]:
    """Run ``s`` on both servers in lock step; the steps whose replies disagree."""
    flushall(redis_port)
    flushall(our_port)
    theirs_session, ours_session = Session(redis_port), Session(our_port)
    diffs: list[Difference] = []
    try:
        for i, step in enumerate(s.steps):
            if step.until is not None:
                theirs = theirs_session.call_until(step)
                ours = ours_session.call_until(step)
            else:
                theirs = theirs_session.call(step)
                ours = ours_session.call(step)
            if isinstance(theirs, str):
                raise AssertionError(f"{s.name} step {i} broke redis-server itself: {theirs}")
            if not _agree(step, theirs, ours):
                diffs.append(Difference(i, step, theirs, ours))
            if isinstance(ours, str) and ours.startswith("no reply"):
                break  # a silent server would cost the timeout on every further step
    finally:
        theirs_session.close()
        ours_session.close()
    return diffs


def report(s: Script, diffs: Iterable[Difference]) -> str:
    lines = [f"script {s.name!r}: replies differ from redis-server 7.0"]
    lines.extend(str(d) for d in diffs)
    return "\n".join(lines)


HELLO_3 = Step(
    (b"HELLO", b"3"), same=except_fields(b"id"), why="client ids are per-server counters"
)


def both_protocols(name: str, *steps: Step) -> list[Script]:
    """The script twice: in RESP2 (``name``) and after HELLO 3 (``name-resp3``)."""
    return [Script(name, steps), Script(f"{name}-resp3", (HELLO_3, *steps))]


def same_shape(a: Reply, b: Reply) -> bool:
    """Replies of the same type with the same number of items, item types agreeing
    (random picks: SPOP, SRANDMEMBER, HRANDFIELD...): the content of bulk strings and
    doubles is free, every other scalar (integers, errors, nulls) must be exact."""
    if a.kind != b.kind:
        return False
    if a.is_aggregate and b.is_aggregate and a.value is None and b.value is None:
        return len(a.items) == len(b.items) and all(
            same_shape(x, y) for x, y in zip(a.items, b.items, strict=True)
        )
    if a.kind in "$," and a.value is not None and b.value is not None:
        return True
    return a.raw == b.raw


def member_of(choices: Iterable[bytes]) -> Comparison:
    """A bulk string reply (or an aggregate of them, possibly nested) whose every string
    is one of ``choices`` on both servers, in the same shape (random picks)."""
    allowed = set(choices)

    def strings(r: Reply) -> list[bytes | None]:
        if r.is_aggregate and r.value is None:
            return [s for i in r.items for s in strings(i)]
        return [r.value]

    def same(a: Reply, b: Reply) -> bool:
        return same_shape(a, b) and all(
            s in allowed for s in strings(a) + strings(b) if s is not None
        )

    return same
