"""The small base package the others stand on: the history event (:mod:`base.op`), the
contracts between the harness, the databases and the nemesis (:mod:`base.db`), the names
the node namespaces use (:mod:`base.hostnet`) and the libfaketime environment
(:mod:`base.faketime`).

It imports nothing of ours. The arrows point one way: base, then checkers and nemesis,
then reports, then harness; ``nodes`` (the server) stands on its own.
"""
