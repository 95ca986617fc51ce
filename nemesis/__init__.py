"""Nemesis: faults (partitions, crashes, pauses, cluster faults), scheduled, recorded, healed."""
