"""Redis Cluster 7.0 mode of splitbrain-server (see docs/cluster.md).

Layers: ``wire`` (bus packets) -> ``state`` (node table) -> ``engine`` + ``packets`` +
``gossip`` + ``failover`` (the sans-IO state machine, driven by an injected clock, rng and
transport) -> ``bus`` (asyncio TCP) -> ``component`` (the server component, router and
nodes.conf). ``describe`` renders replies; ``admin`` backs the CLUSTER subcommands.
"""

from nodes.cluster.component import ClusterComponent, component_of, install
from nodes.cluster.engine import ClusterEngine
from nodes.cluster.nodes_conf import CorruptNodesConf, NodesConfError, NodesConfLocked
from nodes.cluster.ports import BusTransport, Clock, ClusterConfig, ConfigStore
from nodes.cluster.state import ClusterNode, ClusterState, Link
from nodes.cluster.wire import Message, MessageType, NodeFlag, WireError

__all__ = [
    "BusTransport",
    "Clock",
    "ClusterComponent",
    "ClusterConfig",
    "ClusterEngine",
    "ClusterNode",
    "ClusterState",
    "ConfigStore",
    "CorruptNodesConf",
    "Link",
    "Message",
    "MessageType",
    "NodeFlag",
    "NodesConfError",
    "NodesConfLocked",
    "WireError",
    "component_of",
    "install",
]
