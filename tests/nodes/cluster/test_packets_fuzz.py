"""Well-formed but arbitrary packets, claiming to come from known nodes, never crash
the engine, and its invariants (slot owners vs masks, replica lists) still hold."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodes.cluster import wire
from nodes.cluster.wire import Message
from tests.nodes.cluster.sim import Network
from tests.nodes.cluster.test_wire import messages

NET = Network(seed=1)
for _ in range(4):
    NET.add_node()
NET.create(3)
NET.run(10)
TARGET = NET.nodes[0].engine
KNOWN = sorted(TARGET.state.nodes)


def _check_invariants() -> None:
    state = TARGET.state
    for slot, owner in enumerate(state.owners):
        if owner is not None:
            assert owner.slots >> slot & 1
    for node in state.nodes.values():
        for replica in node.replicas:
            assert replica.master is node


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(messages(), st.sampled_from(KNOWN), st.sampled_from([None, *KNOWN]), st.booleans())
def test_arbitrary_packets_from_known_senders(msg: Message, sender, slaveof, inbound):
    import dataclasses  # noqa: PLC0415

    msg = dataclasses.replace(msg, sender=sender, slaveof=slaveof, myip="10.0.0.9")
    link = TARGET.accept("10.0.0.9", "10.0.0.1") if inbound else None
    if link is None:
        node = TARGET.state.nodes.get(sender)
        link = node.link if node is not None and node.link is not None else None
    if link is None:
        link = TARGET.accept("10.0.0.9", "10.0.0.1")
    TARGET.receive(link, wire.encode(msg))
    NET.deliver(2000)
    _check_invariants()
