"""CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: the commands of client-side
caching (the invalidation messages are :mod:`nodes.tracking`'s), with redis 7.0's order
of checks and error texts."""

from __future__ import annotations

from nodes.commands.context import CommandContext
from nodes.commands.registry import command
from nodes.errors import CommandError, NotIntegerError, SyntaxErr
from nodes.resp.parser import string2ll
from nodes.resp.values import OK, Reply, SetReply
from nodes.tracking import TrackingMode, tracking_of

_FLAGS = "noscript loading stale"
_ACL = "@slow @connection"


def _c_str(arg: bytes) -> bytes:
    nul = arg.find(b"\0")
    return arg if nul < 0 else arg[:nul]


def _overlap(a: bytes, b: bytes) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _check_prefixes(old: list[bytes], new: list[bytes]) -> None:
    """redis's ``checkPrefixCollisionsOrReply``: no two prefixes may cover one key."""
    for i, prefix in enumerate(new):
        for existing in sorted(old):
            if _overlap(existing, prefix):
                raise CommandError(
                    b"Prefix '"
                    + _c_str(prefix)
                    + b"' overlaps with an existing prefix '"
                    + _c_str(existing)
                    + b"'. Prefixes for a single client must not overlap."
                )
        for other in new[i + 1 :]:
            if _overlap(prefix, other):
                raise CommandError(
                    b"Prefix '"
                    + _c_str(prefix)
                    + b"' overlaps with another provided prefix '"
                    + _c_str(other)
                    + b"'. Prefixes for a single client must not overlap."
                )


def _parse(ctx: CommandContext, argv: list[bytes]) -> TrackingMode:
    mode = TrackingMode()
    j = 3
    while j < len(argv):
        word = argv[j].lower()
        more = j + 1 < len(argv)
        if word == b"redirect" and more:
            j += 1
            if mode.redirect:
                raise CommandError("A client can only redirect to a single other client")
            target = string2ll(argv[j])
            if target is None:
                raise NotIntegerError()
            if target not in ctx.server.clients:
                raise CommandError("The client ID you want redirect to does not exist")
            mode.redirect = target
        elif word == b"bcast":
            mode.bcast = True
        elif word == b"optin":
            mode.optin = True
        elif word == b"optout":
            mode.optout = True
        elif word == b"noloop":
            mode.noloop = True
        elif word == b"prefix" and more:
            j += 1
            mode.prefixes.append(argv[j])
        else:
            raise SyntaxErr()
        j += 1
    return mode


@command("tracking", -3, _FLAGS, acl=_ACL, parent="client")
def client_tracking(ctx: CommandContext, argv: list[bytes]) -> Reply:
    mode = _parse(ctx, argv)
    switch = argv[2].lower()
    client = ctx.client
    tracking = ctx.server.tracking
    if switch == b"on":
        old = tracking.modes.get(client.id) if tracking is not None else None
        if not mode.bcast and mode.prefixes:
            raise CommandError("PREFIX option requires BCAST mode to be enabled")
        if old is not None and old.bcast != mode.bcast:
            raise CommandError(
                "You can't switch BCAST mode on/off before disabling tracking for this "
                "client, and then re-enabling it with a different mode."
            )
        if mode.bcast and (mode.optin or mode.optout):
            raise CommandError("OPTIN and OPTOUT are not compatible with BCAST")
        if mode.optin and mode.optout:
            raise CommandError("You can't specify both OPTIN mode and OPTOUT mode")
        if old is not None and ((mode.optin and old.optout) or (mode.optout and old.optin)):
            raise CommandError(
                "You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                "client, and then re-enabling it with a different mode."
            )
        if mode.bcast:
            _check_prefixes(old.prefixes if old is not None else [], mode.prefixes)
        if old is not None:
            mode.caching = old.caching
        tracking_of(ctx.server).enable(client, mode)
    elif switch == b"off":
        if tracking is not None:
            tracking.disable(client.id)
    else:
        raise SyntaxErr()
    return OK


@command("caching", 3, _FLAGS, acl=_ACL, parent="client")
def client_caching(ctx: CommandContext, argv: list[bytes]) -> Reply:
    tracking = ctx.server.tracking
    mode = tracking.modes.get(ctx.client.id) if tracking is not None else None
    if mode is None:
        raise CommandError(
            "CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled"
        )
    word = argv[2].lower()
    if word == b"yes":
        if not mode.optin:
            raise CommandError(
                "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
            )
    elif word == b"no":
        if not mode.optout:
            raise CommandError(
                "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
            )
    else:
        raise SyntaxErr()
    mode.caching = True
    return OK


@command("getredir", 2, _FLAGS, acl=_ACL, parent="client")
def client_getredir(ctx: CommandContext, argv: list[bytes]) -> Reply:
    tracking = ctx.server.tracking
    mode = tracking.modes.get(ctx.client.id) if tracking is not None else None
    return -1 if mode is None else mode.redirect


@command("trackinginfo", 2, _FLAGS, acl=_ACL, parent="client")
def client_trackinginfo(ctx: CommandContext, argv: list[bytes]) -> Reply:
    tracking = ctx.server.tracking
    mode = tracking.modes.get(ctx.client.id) if tracking is not None else None
    flags: list[Reply] = [b"on" if mode is not None else b"off"]
    if mode is not None:
        if mode.bcast:
            flags.append(b"bcast")
        if mode.optin:
            flags.append(b"optin")
            if mode.caching:
                flags.append(b"caching-yes")
        if mode.optout:
            flags.append(b"optout")
            if mode.caching:
                flags.append(b"caching-no")
        if mode.noloop:
            flags.append(b"noloop")
        if mode.broken_redirect:
            flags.append(b"broken_redirect")
    prefixes: list[Reply] = [*sorted(mode.prefixes)] if mode is not None else []
    return {
        b"flags": SetReply(flags),
        b"redirect": -1 if mode is None else mode.redirect,
        b"prefixes": prefixes,
    }
