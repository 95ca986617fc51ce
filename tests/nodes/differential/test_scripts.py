"""The acceptance test of issue 2: every command script gives byte-identical replies (or
equal under the loose comparison the step names and justifies) on redis-server 7.0 and
on splitbrain-server."""

from __future__ import annotations

import pytest

from tests.nodes.differential.conftest import ServerPair
from tests.nodes.differential.runner import Script, report, run_pair
from tests.nodes.differential.scripts import ALL_SCRIPTS

pytestmark = pytest.mark.redis

BY_NAME = {s.name: s for s in ALL_SCRIPTS}


def test_script_names_are_unique() -> None:
    assert len(BY_NAME) == len(ALL_SCRIPTS)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_scripts_agree_between_two_redis_servers(redis_pair: ServerPair, name: str) -> None:
    """A script that two redis-servers disagree on is compared too strictly (it needs a
    loose comparison with a reason) and would judge splitbrain-server unfairly."""
    s: Script = BY_NAME[name]
    diffs = run_pair(s, redis_pair.theirs.port, redis_pair.ours.port)
    assert not diffs, report(s, diffs)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_splitbrain_answers_like_redis(server_pair: ServerPair, name: str) -> None:
    s = BY_NAME[name]
    diffs = run_pair(s, server_pair.theirs.port, server_pair.ours.port)
    assert not diffs, report(s, diffs)
