"""Slot migration: CLUSTER SETSLOT rules, open-slot routing (ASK / TRYAGAIN) and the
connections MIGRATE keeps to its targets. The commands live in
:mod:`nodes.commands.migrate`; the payload in :mod:`nodes.rdb.payload`."""
