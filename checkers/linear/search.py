"""The linearizability search for one partition: Wing and Gong's depth-first search
with Lowe's memoisation, in the shape Porcupine uses.

The history is a doubly linked list of call and return entries in time order. The
search walks it: at a call entry it tries to linearize that operation next (apply the
model's step); if the step is legal and the pair (set of linearized operations, new
state) has not been seen before, it *lifts* the call and its return out of the list and
starts again from the front. Reaching a return entry means that operation's deadline
passed without it being linearized, so the search backtracks: it pops the last
linearized operation, puts its entries back (*unlift*) and tries the next call after
it. The history is linearizable when the list empties, and not when the stack is empty
at a return entry.

Sets of linearized operations are Python ints used as bitsets: exact, but each memo
entry then holds one bit per operation. Partitions of more than :data:`EXACT_MAX_OPS`
operations use 128-bit Zobrist fingerprints instead (the XOR of a fixed random number
per linearized operation), so a memo entry stays small and an update costs the same
whatever the size. Two different sets share a fingerprint with probability about
2**-128 per pair, far below any hardware error rate.

Operations that never completed (``info``) have their return entry after everything
else: they may be linearized at any point, or last.

Two refinements keep the Python loop short. A model may say which single state a call
requires (a read requires the value it returned), so most illegal calls are ruled out
by a comparison instead of a step. And identical never-completed calls (two timed-out
writes of the same value) are interchangeable once both are invoked, so only the
earliest pending one is tried: the other's subtree is the same with the two swapped.
Finally, a never-completed blind write (one whose effect does not depend on the state,
such as a timed-out write) immediately followed by a completed blind write has no
visible effect; the same order with it moved to the very end is also a linearization
(nothing must follow it in real time, and it is always legal), and the search reaches
that one, so it does not try a completed blind write right after such a write. (At the
end, where only never-completed operations remain, they may follow each other freely.)
A completed read-only call (``Model.read_only``: a read, a failed cas) that is legal in
the current state and invoked before every pending operation's completion goes next,
before any call ahead of it in the list: any linearization from here can move it to the
front (it changes no state, and nothing pending had to precede it), so no other choice
is tried there, and when it fails, backtracking passes over it.
Likewise, when the model promises that never-completed calls are legal in every state,
such a call is not tried where it would leave the state as it is (an unknown cas whose
expected value is not there): the same order with it moved to the end is tried, once no
completed operation is left.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from checkers.history.pairing import Operation
from checkers.linear.model import ANY_STATE, ILLEGAL, Model, State

EXACT_MAX_OPS = 4096
"""Partitions up to this many operations memoise exact bitsets; larger ones use
fingerprints (see the module docstring)."""
_FINGERPRINT_SEED = 0x5EED
_FIRST_SLICE = 1 << 8
_CHECK_EVERY = 1 << 13
"""Steps between pauses: short at first (so that an interleaving scheduler finds a
quickly failing partition quickly), then longer."""
_NO_STATE: Any = object()
"""Equal to no state: ``read_need_at`` of calls that are not forced (see the search)."""
_ENTRY_BYTES = 160
"""Rough size of one memo entry besides its bitset: tuple, set slot, state."""


@dataclass(frozen=True, slots=True)
class Limits:
    """When to give up with ``unknown``: ``deadline`` is a ``time.monotonic()`` instant
    (None: never); ``max_memo_bytes`` bounds the memo's estimated size."""

    deadline: float | None = None
    max_memo_bytes: int = 1 << 30

    def exceeded(self, memo_bytes: int) -> str | None:
        """Why to stop now, or None to go on."""
        if memo_bytes > self.max_memo_bytes:
            mib = self.max_memo_bytes >> 20
            return f"memory guard: the search memo outgrew its bound of {mib} MiB"
        if self.deadline is not None and time.monotonic() > self.deadline:
            return "timeout: the search did not finish before the deadline"
        return None


@dataclass(frozen=True, slots=True)
class Stuck:
    """Where the deepest attempt got stuck: operations ``linearized`` (``Operation.id``
    values, in order),
    the model ``state`` after them, the operation ``blocked`` whose completion came
    before it could be placed, and the ``candidates`` (ids of pending operations that
    were tried there, each with "illegal" or "dead end")."""

    linearized: tuple[int, ...]
    state: State
    blocked: int
    candidates: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """``verdict`` is "valid", "invalid" or "unknown"; ``reason`` says why unknown;
    ``stuck`` is set for invalid (and for unknown, the deepest point so far)."""

    verdict: str
    reason: str | None
    stuck: Stuck | None
    memo_entries: int
    operations: int


@dataclass(frozen=True, slots=True)
class Progress:
    """What a paused search has done: memo size (and its estimated bytes) and the
    deepest dead end so far."""

    memo_entries: int
    memo_bytes: int
    best: DeadEnd | None


Search = Generator[Progress, None, SearchResult]
"""A search in progress: it yields its :class:`Progress` every few thousand steps (so a
scheduler can interleave searches and enforce limits) and returns its result."""


def check_operations(model: Model, ops: Sequence[Operation], limits: Limits) -> SearchResult:
    """Search for a linearization of ``ops`` (one partition) under ``model``, giving up
    with ``unknown`` past the limits."""
    search = start_search(model, ops)
    while True:
        try:
            progress = next(search)
        except StopIteration as done:
            result: SearchResult = done.value
            return result
        reason = limits.exceeded(progress.memo_bytes)
        if reason is not None:
            search.close()
            best = progress.best.stuck() if progress.best is not None else None
            return SearchResult("unknown", reason, best, progress.memo_entries, len(ops))


def start_search(model: Model, ops: Sequence[Operation]) -> Search:
    """A search for a linearization of ``ops`` (one partition); see :data:`Search`.
    Raises ``ModelError`` at once for operations the model cannot interpret."""
    calls: list[Any] = []
    kept: list[Operation] = []
    encode = model.encode
    for op in ops:
        call = encode(op)
        if call is not None:
            calls.append(call)
            kept.append(op)
    return _search(model, kept, calls)


def _search(model: Model, ops: list[Operation], calls: list[Any]) -> Search:
    if not ops:
        return SearchResult("valid", None, None, 0, 0)
    m = len(ops)
    never = 1 << 62
    events: list[tuple[int, int, int]] = []  # (position, 0 call / 1 return, op)
    for i, op in enumerate(ops):
        events.append((op.invoke_index, 0, i))
        events.append((never if op.complete_index is None else op.complete_index, 1, i))
    events.sort()
    size = 2 * m + 2  # node 0 is the head, node 2m+1 the tail
    tail = size - 1
    nxt = list(range(1, size + 1))
    prv = list(range(-1, size - 1))
    call_at: list[Any] = [None] * size  # a call node's call, None for return nodes
    need_at: list[Any] = [ANY_STATE] * size  # the state a call node requires, if one
    op_at = [-1] * size  # the op of any node
    ret_of = [0] * size  # a call node's return node
    twin_at = [0] * size  # an earlier call node of an identical never-completed call
    blind_at = [False] * size  # a call node whose call is a completed blind write
    overwritable = [False] * size  # a never-completed blind write: may as well go last
    blind = model.blind
    # never-completed calls that change nothing may wait for the end (see above)
    idle_unknown_at = [False] * size
    completes_at = [0] * size  # 1 for a call node whose operation completed
    read_only = model.read_only
    forced_at = [False] * size  # a completed call that never changes the state
    # a forced call's one legal state, or ANY_STATE (then its step says)
    read_need_at: list[Any] = [_NO_STATE] * size
    to_complete = 0  # completed operations not yet linearized
    node_of_call = [0] * m
    requires = model.requires
    unfinished: dict[Any, int] = {}
    unknown_always_legal = model.unknown_always_legal
    for node, (_, kind, i) in enumerate(events, 1):
        op_at[node] = i
        if kind == 0:
            call = calls[i]
            call_at[node] = call
            if requires is not None:
                need_at[node] = requires(call)
            completed = ops[i].complete_index is not None
            if blind is not None and blind(call):
                blind_at[node] = completed
                overwritable[node] = not completed
            if not completed:
                twin_at[node] = unfinished.get(call, 0)
                unfinished[call] = node
                idle_unknown_at[node] = unknown_always_legal
            else:
                completes_at[node] = 1
                to_complete += 1
                if read_only is not None and read_only(call):
                    forced_at[node] = True
                    read_need_at[node] = need_at[node]
            node_of_call[i] = node
        else:
            ret_of[node_of_call[i]] = node
    context = (model, ops, calls, op_at, node_of_call)
    step = model.step
    state = model.init()
    linearized = 0  # the set of linearized operations (bitset or fingerprint)
    if m <= EXACT_MAX_OPS:
        member = [1 << i for i in range(m)]
        entry_bytes = _ENTRY_BYTES + m // 8
    else:
        import random  # noqa: PLC0415 (only large partitions need it)

        fingerprints = random.Random(_FINGERPRINT_SEED)
        member = [fingerprints.getrandbits(128) for _ in range(m)]
        entry_bytes = _ENTRY_BYTES + 16
    member_at = [0] * size
    for i, node in enumerate(node_of_call):
        member_at[node] = member[i]
    del member
    done = [False] * size  # call nodes linearized
    # The stack of linearized calls as a chain of (node, state before, rest) tuples, so
    # that remembering the deepest dead end costs nothing.
    stack: Chain = None
    depth = 0
    memo: set[tuple[int, State]] = set()
    best: DeadEnd | None = None
    budget = slice_ = _FIRST_SLICE
    entry = e = nxt[0]
    while call_at[e] is not None:  # a read legal now goes first (see the docstring)
        need = read_need_at[e]
        if need == state or (need is ANY_STATE and step(state, call_at[e]) is not ILLEGAL):
            entry = e
            break
        e = nxt[e]
    while True:
        call = call_at[entry]
        if call is not None:
            need = need_at[entry]
            if need is not ANY_STATE and need != state:
                entry = nxt[entry]  # illegal, known without calling step
                continue
            twin = twin_at[entry]
            if twin and not done[twin]:
                entry = nxt[entry]  # its pending twin went first: the same subtree
                continue
            if blind_at[entry] and stack is not None and overwritable[stack[0]]:
                entry = nxt[entry]  # it would hide the unknown write before it: see above
                continue
            new_state = step(state, call)
            if idle_unknown_at[entry] and to_complete and new_state == state:
                entry = nxt[entry]  # a no-op now: the same order with it last is tried
                continue
            if new_state is not ILLEGAL:
                new_linearized = linearized ^ member_at[entry]
                seen = len(memo)
                memo.add((new_linearized, new_state))
                if len(memo) != seen:
                    stack = (entry, state, stack)
                    depth += 1
                    to_complete -= completes_at[entry]
                    state = new_state
                    linearized = new_linearized
                    done[entry] = True
                    # lift the call and its return out of the list
                    r = ret_of[entry]
                    a, b = prv[entry], nxt[entry]
                    nxt[a] = b
                    prv[b] = a
                    a, b = prv[r], nxt[r]
                    nxt[a] = b
                    prv[b] = a
                    entry = e = nxt[0]
                    if entry == tail:
                        return SearchResult("valid", None, None, len(memo), m)
                    while call_at[e] is not None:  # a read legal now goes first
                        need = read_need_at[e]
                        if need == state or (
                            need is ANY_STATE and step(state, call_at[e]) is not ILLEGAL
                        ):
                            entry = e
                            break
                        e = nxt[e]
                    budget -= 1
                    if budget == 0:
                        budget = slice_ = min(2 * slice_, _CHECK_EVERY)
                        yield Progress(len(memo), len(memo) * entry_bytes, best)
                    continue
            entry = nxt[entry]
            continue
        # a return entry: its operation cannot be placed after the calls before it
        if best is None or depth > best.depth:
            best = DeadEnd(context, depth, stack, state, entry)
        while True:  # pop until a call whose alternatives are still to be tried
            if stack is None:
                return SearchResult("invalid", None, best.stuck(), len(memo), m)
            entry, state, stack = stack
            depth -= 1
            to_complete += completes_at[entry]
            linearized ^= member_at[entry]
            done[entry] = False
            # unlift: put the return back, then the call
            r = ret_of[entry]
            nxt[prv[r]] = r
            prv[nxt[r]] = r
            nxt[prv[entry]] = entry
            prv[nxt[entry]] = entry
            if not forced_at[entry]:
                break  # a read-only call failed here: so does every order from here
        entry = nxt[entry]


Chain = tuple[int, State, Any] | None


class DeadEnd:
    """The deepest point the search reached before backtracking, kept cheaply (the
    stack chain is shared, not copied); :meth:`stuck` spells it out."""

    __slots__ = (
        "blocked",
        "calls",
        "chain",
        "depth",
        "model",
        "node_of_call",
        "op_at",
        "ops",
        "ret_node",
        "state",
    )

    def __init__(
        self,
        search: tuple[Model, list[Operation], list[Any], list[int], list[int]],
        depth: int,
        chain: Chain,
        state: State,
        ret_node: int,
    ) -> None:
        self.model, self.ops, self.calls, self.op_at, self.node_of_call = search
        self.depth = depth
        self.chain = chain
        self.state = state
        self.ret_node = ret_node
        self.blocked = self.op_at[ret_node]

    def stuck(self) -> Stuck:
        """The linearized operations, the blocked one, and why each operation that was
        pending when the blocked one completed could not go next."""
        order: list[int] = []
        chain = self.chain
        while chain is not None:
            node, _, chain = chain
            order.append(self.op_at[node])
        order.reverse()
        done = set(order)
        candidates: list[tuple[int, str]] = []
        for i, node in enumerate(self.node_of_call):
            if i not in done and node < self.ret_node:
                illegal = self.model.step(self.state, self.calls[i]) is ILLEGAL
                candidates.append((self.ops[i].id, "illegal" if illegal else "dead end"))
        return Stuck(
            linearized=tuple(self.ops[i].id for i in order),
            state=self.state,
            blocked=self.ops[self.blocked].id,
            candidates=tuple(candidates),
        )
