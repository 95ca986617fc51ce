"""`make nightly` and its workflow: the Makefile's fixed matrix is one `harness test-all`
accepts as it stands (every test validated, none run under a one-second budget), and
the workflow runs make setup and make nightly, keeps the store and publishes the
matrix's combined JUnit; .ci/run stays `make test`."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from base.exits import EXIT_UNKNOWN
from harness.test_all import MATRIX_FOLDER

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"


def nightly_words() -> list[str]:
    """The arguments `make nightly` gives harness test-all (from `make -n`, nothing run)."""
    shown = subprocess.run(
        ["make", "-n", "--no-print-directory", "nightly"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in shown.splitlines() if "harness test-all" in line)
    return shlex.split(line.split("harness test-all", 1)[1].split("||", 1)[0])


def test_the_nightly_matrix_is_valid_and_about_thirty_minutes(tmp_path: Path) -> None:
    words = nightly_words()
    assert "--time-budget" in words
    store = tmp_path / "store"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "test-all",
            *words,
            "--time-budget",
            "1",
            "--store",
            str(store),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_UNKNOWN, done.stderr[-2000:]  # validated, none run
    count = done.stderr.count("not run: time budget")
    assert count == 24 and "Traceback" not in done.stderr
    limit = float(words[words.index("--time-limit") + 1])
    recovery = float(words[words.index("--recovery-time") + 1])
    assert 20 * 60 <= count * (limit + recovery + 20) <= 40 * 60  # ~20 s setup and check


def test_the_workflow_runs_make_nightly_and_publishes_its_junit() -> None:
    text = WORKFLOW.read_text()
    for needed in ("schedule:", "cron:", "workflow_dispatch:", "run: make setup"):
        assert needed in text, needed
    assert "run: make nightly" in text
    assert "actions/upload-artifact" in text and "store/" in text
    assert f"report_paths: store/{MATRIX_FOLDER}/*/results.xml" in text
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("exec make test")
