"""Subcommands of the ``harness`` CLI, one module each (see :mod:`harness.cli`)."""
