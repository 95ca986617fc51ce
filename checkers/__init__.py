"""Checkers: pure functions from a history to a verdict (valid / invalid / unknown).

No I/O besides reading the files handed to the readers, no clocks besides a deadline.
"""

from base.op import NEMESIS, Op, OpType, Process

__all__ = ["NEMESIS", "Op", "OpType", "Process"]
