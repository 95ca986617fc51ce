"""The redis-py suite runner (benchmarks/redis_py_suite.py) on stand-in files.

redis-py's own files never enter the repository, so the tree and the junit xml here are
written by the test. The runner must read junit outcomes (teardown errors included), pick
the target and markers per file, list the tests passing on redis only, and refuse bad
arguments with exit 254.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from base.exits import EXIT_BAD_ARGS
from benchmarks import redis_py_suite as suite

JUNIT = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="utf-8"?>
    <testsuites><testsuite name="pytest" tests="5">
    <testcase classname="tests.test_commands.TestX" name="test_ok" time="0.1"/>
    <testcase classname="tests.test_commands.TestX" name="test_bad" time="0.1">
      <failure message="assert 1 == 2">trace</failure></testcase>
    <testcase classname="tests.test_commands.TestX" name="test_skip" time="0">
      <skipped message="version"/></testcase>
    <testcase classname="tests.test_commands.TestX" name="test_fixture" time="0">
      <error message="fixture">trace</error></testcase>
    <testcase classname="tests.test_commands.TestX" name="test_teardown" time="0.1"/>
    <testcase classname="tests.test_commands.TestX" name="test_teardown" time="0.1">
      <error message="teardown">trace</error></testcase>
    </testsuite></testsuites>
    """
)


def _result(kind: str, outcomes: dict[str, str]) -> suite.FileResult:
    return suite.FileResult(kind, "test_commands", outcomes, False, 0, 1.0)


def test_reads_junit_outcomes(tmp_path: Path) -> None:
    xml = tmp_path / "r.xml"
    xml.write_text(JUNIT)
    got = suite.read_junit(xml)
    prefix = "tests.test_commands.TestX::"
    assert got == {
        prefix + "test_ok": "passed",
        prefix + "test_bad": "failed",
        prefix + "test_skip": "skipped",
        prefix + "test_fixture": "error",
        prefix + "test_teardown": "error",
    }
    assert suite.read_junit(tmp_path / "missing.xml") == {}
    (tmp_path / "cut.xml").write_text(JUNIT[:200])
    assert suite.read_junit(tmp_path / "cut.xml") == {}


def test_summary_lists_tests_passing_on_redis_only() -> None:
    ours = _result(suite.OURS, {"a": "passed", "b": "failed", "c": "skipped"})
    reference = _result(
        suite.REFERENCE, {"a": "passed", "b": "passed", "c": "passed", "d": "failed"}
    )
    assert suite.regressions([ours], [reference]) == ["b", "c"]
    text = suite.summary([ours], [reference])
    assert "2 tests pass on redis and not on splitbrain:" in text
    assert "    1 passed     1 failed     0 error     1 skipped" in text
    assert suite.row(ours).startswith("splitbrain test_commands")


def test_target_and_markers_per_file(tmp_path: Path) -> None:
    argv = suite.pytest_argv(
        tmp_path, "test_cluster", "redis://h:1/0", tmp_path / "i", tmp_path / "x"
    )
    assert argv[:3] == [sys.executable, "-m", "pytest"]
    assert argv[argv.index("-m", 3) + 1] == suite.CLUSTER_MARKERS
    assert "redismod" in suite.CLUSTER_MARKERS and "redismod" in suite.STANDALONE_MARKERS
    argv = suite.pytest_argv(
        tmp_path, "test_commands", "redis://h:2/0", tmp_path / "i", tmp_path / "x"
    )
    assert argv[argv.index("-m", 3) + 1] == suite.STANDALONE_MARKERS
    assert argv[argv.index("--redis-url") + 1] == "redis://h:2/0"


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert suite.main([str(tmp_path)]) == EXIT_BAD_ARGS
    assert "not a redis-py tree" in capsys.readouterr().err
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("")
    assert suite.main([str(tmp_path), "--only", "test_nope"]) == EXIT_BAD_ARGS
    assert "no such test file: test_nope" in capsys.readouterr().err
    assert suite.main([str(tmp_path), "--deadline", "0"]) == EXIT_BAD_ARGS
