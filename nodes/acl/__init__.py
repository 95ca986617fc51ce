"""Access control lists (redis 7.0's ACL): users, their rules, the permission check.

Layering: :mod:`nodes.acl.user` is plain data (a client holds its :class:`User`);
:mod:`nodes.acl.rules` applies ``ACL SETUSER`` rules to it; :mod:`nodes.acl.describe`
writes a user back as rules (``ACL LIST``, ``ACL GETUSER``); :mod:`nodes.acl.check` is the
permission check the dispatcher runs for a restricted user; :mod:`nodes.acl.users` holds
the server's users and :mod:`nodes.acl.log` the ``ACL LOG``. This package imports nothing
from :mod:`nodes.commands` at import time (``nodes.client`` needs :class:`User`).
"""

from nodes.acl.user import KeyPattern, User

__all__ = ["KeyPattern", "User"]
