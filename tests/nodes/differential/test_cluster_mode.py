"""Issue 2's cluster-mode promises, compared with redis-server 7.0 in cluster mode:
CLUSTER KEYSLOT and -CROSSSLOT for multi-key commands across slots."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.nodes.differential.conftest import SAME_AS_REDIS, ServerPair, start_pair
from tests.nodes.differential.runner import report, run_pair
from tests.nodes.differential.scripts.cluster_mode import SCRIPTS

pytestmark = pytest.mark.redis

CLUSTER_MODE = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")


@pytest.fixture(scope="module")
def cluster_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    base = tmp_path_factory.mktemp("differential-cluster")
    yield from start_pair(base, CLUSTER_MODE, (*SAME_AS_REDIS, *CLUSTER_MODE))


@pytest.mark.parametrize("s", SCRIPTS, ids=lambda s: s.name)
def test_cluster_mode_answers_like_redis(cluster_pair: ServerPair, s) -> None:
    diffs = run_pair(s, cluster_pair.theirs.port, cluster_pair.ours.port)
    assert not diffs, report(s, diffs)
