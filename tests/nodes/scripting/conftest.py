"""Scripting tests reuse the replication fixtures (servers on free ports, stopped by pid)."""

from tests.nodes.replication.conftest import Group, Node, group

__all__ = ["Group", "Node", "group"]
