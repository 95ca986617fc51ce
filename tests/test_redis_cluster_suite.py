"""The redis cluster suite runner (benchmarks/redis_cluster_suite.py) on a stand-in tree.

Redis's own files never enter the repository, so the tree here is written by the test: a
``tests/cluster/run.tcl`` of our own that prints lines in the suite's format (or hangs with
a child process), run by a real tclsh. The runner must count OK and failed lines, judge
pass / fail / timeout, link the binaries into ``src/`` without touching real files, and
kill the whole process group at the deadline.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from pathlib import Path

import pytest

from base.exits import EXIT_BAD_ARGS
from benchmarks import redis_cluster_suite as suite

PASSING = textwrap.dedent(
    """\
    puts "Testing unit: a.tcl"
    puts "10:00:00> Cluster nodes are reachable: \\x1b\\[0;32;49mOK\\x1b\\[0m"
    puts "10:00:01> Cluster is writable: OK"
    puts "GOOD! No errors."
    exit 0
    """
)

FAILING = textwrap.dedent(
    """\
    puts "10:00:00> Cluster nodes are reachable: OK"
    puts "10:00:01> Failover happens: FAILED: expected 1 got 0"
    puts "WARNING 1 test(s) failed."
    exit 1
    """
)

# Starts a child that would outlive the suite, writes its pid, then hangs.
HANGING = textwrap.dedent(
    """\
    set pid [exec sleep 600 &]
    set f [open "child.pid" w]; puts $f $pid; close $f
    file mkdir tests/cluster/tmp/redis_0
    after 600000
    """
)


def make_tree(root: Path, scripts: dict[str, str]) -> Path:
    """A stand-in redis tree whose run.tcl runs the body named by ``--single``."""
    cluster = root / "tests" / "cluster"
    (cluster / "tests").mkdir(parents=True)
    (cluster / "tmp").mkdir()
    (root / "runtest-cluster").write_text("#!/bin/sh\n")
    for name, body in scripts.items():
        (cluster / "tests" / f"{name}.tcl").write_text("# stand-in\n")
        (cluster / f"{name}.body").write_text(body)
    (cluster / "run.tcl").write_text(
        textwrap.dedent(
            """\
            set name [file rootname [lindex $argv 1]]
            source [file join tests cluster $name.body]
            """
        )
    )
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if shutil.which("tclsh8.6") is None and shutil.which("tclsh") is None:
        pytest.fail("tclsh missing: run make setup (Debian package tcl)")
    return make_tree(
        tmp_path / "redis", {"00-pass": PASSING, "01-fail": FAILING, "02-hang": HANGING}
    )


def test_counts_and_verdicts(tree: Path, tmp_path: Path) -> None:
    passed = suite.run_file(tree, "00-pass", 30, tmp_path / "pass.log")
    assert (passed.status, passed.ok, passed.failures) == ("pass", 2, ())
    failed = suite.run_file(tree, "01-fail", 30, tmp_path / "fail.log")
    assert failed.status == "fail"
    assert failed.ok == 1
    assert any("Failover happens" in line for line in failed.failures)


def test_deadline_kills_the_group(tree: Path, tmp_path: Path) -> None:
    result = suite.run_file(tree, "02-hang", 2, tmp_path / "hang.log")
    assert result.status == "timeout"
    child = int((tree / "child.pid").read_text())
    # The child was SIGKILLed with its group: it dies (or lingers as a zombie) shortly.
    deadline = time.monotonic() + 10
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child), f"child {child} outlived the deadline"
    assert not (tree / "tests" / "cluster" / "tmp" / "redis_0").exists()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] == "Z"


def test_links_binaries_but_not_over_real_files(tree: Path) -> None:
    server = suite.server_binary(suite.OURS)
    suite.link_binaries(tree, server)
    assert (tree / "src" / "redis-server").resolve() == server.resolve()
    assert (tree / "src" / "redis-cli").is_symlink()
    suite.link_binaries(tree, suite.server_binary(suite.REFERENCE))  # replaces our links
    (tree / "src" / "redis-server").unlink()
    (tree / "src" / "redis-server").write_text("a user's file")
    with pytest.raises(suite.SuiteError, match="real file"):
        suite.link_binaries(tree, server)
    assert (tree / "src" / "redis-server").read_text() == "a user's file"


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert suite.main([str(tmp_path)]) == EXIT_BAD_ARGS
    assert "not a redis source tree" in capsys.readouterr().err
    tree = make_tree(tmp_path / "t", {"00-pass": PASSING})
    assert suite.main([str(tree), "--only", "99-nope"]) == EXIT_BAD_ARGS
    assert "no such test file: 99-nope" in capsys.readouterr().err
    assert suite.main([str(tree), "--repeat", "0"]) == EXIT_BAD_ARGS
