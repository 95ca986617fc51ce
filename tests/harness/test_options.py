"""`harness run`'s options come from the fields they set: parsing nothing gives the
fields' defaults, and the help shows those same defaults."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from harness.dbs.cluster_spec import ClusterSpec
from harness.flags import BadArguments, bound_flags, shown
from harness.options import RunOptions, add_run_arguments, from_args
from nemesis import NemesisOptions


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness run")
    add_run_arguments(p)
    return p


def test_no_options_give_the_fields_defaults():
    options = from_args(parser().parse_args(["--net", "loopback", "--seed", "0"]))
    derived = dataclasses.replace(RunOptions(), concurrency=12, notes=options.notes)
    assert options == derived
    assert options.cluster == ClusterSpec() and options.nemesis_options == NemesisOptions()


def test_the_help_shows_each_fields_default():
    text = " ".join(parser().format_help().split())
    for b in bound_flags(RunOptions):
        if "{default}" in b.flag.help:
            shown_help = b.flag.help.format(default=shown(b.default))
            assert " ".join(shown_help.split()) in text, b.flag.option
    assert "--nodes NODES cluster nodes (default 6)" in text
    assert "--nemesis-interval S seconds between fault changes (default 10)" in text


def test_flags_reach_their_fields():
    words = [
        "--net", "loopback", "--db", "redis", "--nodes", "9", "--replicas", "2",
        "--appendonly", "no", "--node-option", "maxmemory=10mb", "--time-limit", "5",
        "--no-recovery", "--store", "elsewhere",
    ]  # fmt: skip
    options = from_args(parser().parse_args(words))
    assert options.cluster == ClusterSpec(
        db="redis", nodes=9, replicas=2, appendonly=False, node_options=("--maxmemory", "10mb")
    )
    assert options.cas == "lua" and options.time_limit_s == 5.0
    assert options.nemesis_options.recovery is False and str(options.store) == "elsewhere"
    with pytest.raises(BadArguments, match="--node-option 'nope'"):
        from_args(parser().parse_args(["--net", "loopback", "--node-option", "nope"]))
