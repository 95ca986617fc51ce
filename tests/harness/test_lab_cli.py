"""`harness lab up` / `harness lab down` as a user runs them: real sshd in namespaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.netns import find_leftovers
from harness.options import netns_available
from harness.ssh import read_hosts_file
from tests.harness.test_run import harness

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_available(), reason="needs root for namespaces"),
]


def test_lab_up_prints_usage_and_down_removes_it(tmp_path: Path) -> None:
    hosts_file = tmp_path / "hosts"
    up = harness("lab", "up", "--hosts", "2", "--hosts-file", str(hosts_file))
    try:
        assert up.returncode == 0, up.stderr
        targets = read_hosts_file(hosts_file)
        assert len(targets) == 2
        assert f"--ssh-hosts {hosts_file}" in up.stdout
        assert f"harness lab down --hosts-file {hosts_file}" in up.stdout
        prefix = up.stdout.split("(namespace ")[1].split("-h1)")[0]
        assert not find_leftovers(prefix).empty
        again = harness("lab", "up", "--hosts-file", str(hosts_file))
        assert again.returncode == 255 and "a lab is up there" in again.stderr
    finally:
        down = harness("lab", "down", "--hosts-file", str(hosts_file))
    assert down.returncode == 0, down.stderr
    assert down.stdout.count("removed sshd") == 2
    assert find_leftovers(prefix).empty
    assert list(tmp_path.iterdir()) == []
    missing = harness("lab", "down", "--hosts-file", str(hosts_file))
    assert missing.returncode == 255 and "no lab at" in missing.stderr
    bad = harness("lab", "up", "--hosts", "0", "--hosts-file", str(hosts_file))
    assert bad.returncode == 254 and "at least 1" in bad.stderr
