"""Pub/sub clients whose channels a user's new rules no longer allow (redis 7.0's
``ACLKillPubsubClientsIfNeeded``, run by ACL SETUSER on an existing user).

:func:`channels_left` gives the channel patterns of the user's new rules (the root's and
every selector's together), or ``None`` when nothing can have been revoked: a new
selector allows every channel, or every old channel pattern is still there (and no old
selector allowed every channel). :func:`violates` says whether one client's
subscriptions fall outside them: a subscribed channel (or shard channel) must match a
pattern, a subscribed pattern must equal one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nodes.pattern import matches

if TYPE_CHECKING:
    from nodes.acl.user import User
    from nodes.pubsub import Subscriptions


def channels_left(new: User, original: User) -> list[bytes] | None:
    """The new rules' channel patterns, or ``None`` if no subscription can be lost."""
    upcoming_selectors = (new, *new.selectors)
    if any(s.all_channels for s in upcoming_selectors):
        return None
    upcoming = [pattern for s in upcoming_selectors for pattern in s.channels]
    original_selectors = (original, *original.selectors)
    if not any(s.all_channels for s in original_selectors) and all(
        pattern in upcoming for s in original_selectors for pattern in s.channels
    ):
        return None
    return upcoming


def violates(subscriptions: Subscriptions, allowed: Sequence[bytes]) -> bool:
    """Whether any subscription falls outside ``allowed`` (from :func:`channels_left`)."""
    if any(pattern not in allowed for pattern in subscriptions.patterns):
        return True
    for channels in (subscriptions.channels, subscriptions.shard):
        for channel in channels:
            if not any(matches(p, channel) for p in allowed):
                return True
    return False
