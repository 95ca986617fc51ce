"""nodes.conf at the process level: a corrupt file or a second process refuses to start."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.nodes.cluster.conftest import Nodes, cluster_args
from tests.support.servers import free_port, splitbrain_server

pytestmark = [pytest.mark.slow]


def _run(workdir: Path, port: int) -> subprocess.CompletedProcess[str]:
    argv = splitbrain_server(workdir, port, cluster_args()).argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


def test_corrupt_nodes_conf_names_file_and_line(tmp_path):
    conf = tmp_path / "nodes.conf"
    conf.write_text(
        f"{'a' * 40} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-100\n"
        f"{'b' * 40} 127.0.0.1:7001@17001 master - 0 0 2 connected 200-99999\n"
        "vars currentEpoch 2 lastVoteEpoch 0\n"
    )
    result = _run(tmp_path, free_port(with_bus=True))
    assert result.returncode == 1
    assert f"{conf}, line 2" in result.stderr or f"{conf.name}, line 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert conf.read_text().count("\n") == 3  # untouched


def test_second_process_on_same_nodes_conf_refused(nodes: Nodes):
    first = nodes.ours(1)[0]
    result = _run(first.workdir, free_port(with_bus=True))
    assert result.returncode == 1
    assert "already used by another node" in result.stderr
    assert "Traceback" not in result.stderr
