"""More string commands: GETRANGE SUBSTR SETRANGE LCS.

GETRANGE parses its indexes before it looks at the key; SETRANGE refuses a result longer
than ``proto-max-bulk-len`` and does not create a key for an empty value. LCS follows
redis's dynamic programme and walks it back from the end, so IDX lists the matches from
the last to the first, exactly as redis does.
"""

from __future__ import annotations

from nodes.commands.args import parse_int
from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, SyntaxErr
from nodes.resp.values import Reply


def _getrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    start, end = parse_int(argv[2]), parse_int(argv[3])
    value = ctx.keyspace.get_string(argv[1])
    if value is None:
        return b""
    n = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    if start < 0:
        start += n
    if end < 0:
        end += n
    start, end = max(start, 0), max(end, 0)
    end = min(end, n - 1)
    if start > end or n == 0:
        return b""
    return value[start : end + 1]


@command(
    "getrange", 4, "readonly", keys=(1, 1, 1), acl="@read @string @slow", key_flags="RO access"
)
def getrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _getrange(ctx, argv)


@command("substr", 4, "readonly", keys=(1, 1, 1), acl="@read @string @slow", key_flags="RO access")
def substr(ctx: CommandContext, argv: list[bytes]) -> Reply:
    return _getrange(ctx, argv)


def check_length(ctx: CommandContext, size: int) -> None:
    if size > ctx.server.config.get_int("proto-max-bulk-len"):
        raise CommandError("string exceeds maximum allowed size (proto-max-bulk-len)")


@command(
    "setrange",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    acl="@write @string @slow",
    key_flags="RW update",
)
def setrange(ctx: CommandContext, argv: list[bytes]) -> Reply:
    offset = parse_int(argv[2])
    if offset < 0:
        raise CommandError("offset is out of range")
    patch = argv[3]
    ks = ctx.keyspace
    current = ks.get_string(argv[1])
    if not patch:
        return 0 if current is None else len(current)
    check_length(ctx, offset + len(patch))
    base = current or b""
    if len(base) < offset:
        base += bytes(offset - len(base))
    value = base[:offset] + patch + base[offset + len(patch) :]
    ks.set(argv[1], value, keep_ttl=True)
    return len(value)


def _lcs_table(a: bytes, b: bytes) -> list[list[int]]:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        row, above, ai = table[i], table[i - 1], a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                row[j] = above[j - 1] + 1
            else:
                row[j] = above[j] if above[j] > row[j - 1] else row[j - 1]
    return table


@command("lcs", -3, "readonly", keys=(1, 2, 1), acl="@read @string @slow", key_flags="RO access")
def lcs(ctx: CommandContext, argv: list[bytes]) -> Reply:
    ks = ctx.keyspace
    values = [ks.get(argv[1]), ks.get(argv[2])]
    if any(v is not None and not isinstance(v, bytes) for v in values):
        raise CommandError("The specified keys must contain string values")
    a = values[0] if isinstance(values[0], bytes) else b""
    b = values[1] if isinstance(values[1], bytes) else b""
    get_len = get_idx = with_len = False
    min_len = 0
    j = 3
    while j < len(argv):
        word = argv[j].lower()
        if word == b"idx":
            get_idx = True
        elif word == b"len":
            get_len = True
        elif word == b"withmatchlen":
            with_len = True
        elif word == b"minmatchlen" and j + 1 < len(argv):
            min_len = max(parse_int(argv[j + 1]), 0)
            j += 1
        else:
            raise SyntaxErr()
        j += 1
    if get_len and get_idx:
        raise CommandError("If you want both the length and indexes, please just use IDX.")
    if (len(a) + 1) * (len(b) + 1) * 4 > ctx.server.config.get_int("proto-max-bulk-len"):
        raise CommandError(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
        )
    table = _lcs_table(a, b)
    total = table[len(a)][len(b)]
    if get_len:
        return total
    result = bytearray(total)
    matches: list[Reply] = []
    idx, i, k = total, len(a), len(b)
    unset = len(a)
    a_start, a_end, b_start, b_end = unset, 0, 0, 0
    while i > 0 and k > 0:
        emit = False
        if a[i - 1] == b[k - 1]:
            result[idx - 1] = a[i - 1]
            if a_start == unset:
                a_start = a_end = i - 1
                b_start = b_end = k - 1
            elif a_start == i and b_start == k:
                a_start -= 1
                b_start -= 1
            else:
                emit = True
            if a_start == 0 or b_start == 0:
                emit = True
            idx, i, k = idx - 1, i - 1, k - 1
        else:
            if table[i - 1][k] > table[i][k - 1]:
                i -= 1
            else:
                k -= 1
            if a_start != unset:
                emit = True
        match_len = a_end - a_start + 1
        if emit:
            if min_len == 0 or match_len >= min_len:
                entry: list[Reply] = [[a_start, a_end], [b_start, b_end]]
                if with_len:
                    entry.append(match_len)
                matches.append(entry)
            a_start = unset
    if get_idx:
        return {b"matches": matches, b"len": total}
    return bytes(result)
