"""Clients: a pipelined RESP connection, a slot map, and a retry-free cluster client."""

from harness.client.cluster import ClientConfig, ClusterClient, WaitPolicy
from harness.client.outcome import Outcome, Result
from harness.client.slots import SlotMap

__all__ = ["ClientConfig", "ClusterClient", "Outcome", "Result", "SlotMap", "WaitPolicy"]
