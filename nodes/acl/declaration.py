"""``user <name> <rules...>`` lines of a config file (and of an ACL file): checked when
read, applied when the server starts (:meth:`nodes.acl.users.AccessControl.load_declared`).
"""

from __future__ import annotations

from collections.abc import Sequence

from nodes.acl.rules import UNKNOWN, AclRuleError, apply_rule, merge_selector_args
from nodes.acl.user import User

DUPLICATE = "Duplicate user found. A user can only be defined once in config files"


def user_declaration_error(args: Sequence[str], declared: Sequence[str]) -> str | None:
    """Why ``user <args>`` is refused, in redis's words, or None. Unknown commands are
    accepted here (redis checks them again at start). redis names the argument at the
    failing rule's index counted from ``user`` itself (its own off-by-two), so do we."""
    argv = ["user", *args]
    if args[0] in declared:
        return f"Error in user declaration '{argv[1]}': {DUPLICATE}"
    scratch = User(name=args[0].encode())
    merged = merge_selector_args([a.encode(errors="surrogateescape") for a in args[1:]])
    if isinstance(merged, int):
        return f"Error in user declaration '{argv[merged]}': Syntax error"
    for j, rule in enumerate(merged):
        try:
            apply_rule(scratch, rule)
        except AclRuleError as exc:
            if exc.reason == UNKNOWN:
                continue
            return f"Error in user declaration '{argv[j]}': {exc.reason}"
    return None
