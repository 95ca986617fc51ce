"""Harness: runs Jepsen-style tests against a Redis Cluster (ours or redis-server).

Runner, clients, workloads, generator, history recorder, run store and the ``harness`` CLI.
"""
