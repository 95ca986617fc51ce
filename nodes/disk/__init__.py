"""The node's file layer: every write, fsync, rename and removal of its persistent files
(AOF base / incr / manifest, RDB saves, nodes.conf) goes through one injected
:class:`~nodes.disk.layer.Disk`.

With ``splitbrain-fsync-ledger yes`` the layer also keeps a ledger in ``dir``
(:mod:`nodes.disk.ledger`) of how much of each file is durable, so that a power loss can
be emulated after a SIGKILL by dropping the rest (:mod:`nodes.disk.power_loss`). A
simulation can inject a fake disk of its own.
"""

from nodes.disk.layer import Disk
from nodes.disk.ledger import LEDGER_FILE, Ledger

__all__ = ["LEDGER_FILE", "Disk", "Ledger"]
