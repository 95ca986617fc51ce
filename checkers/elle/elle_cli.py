"""Run an external elle-cli on a history and read its verdict.

The one checker that does I/O, and only when the user names the program
(``--elle-cli PATH``): the history's transactions are written as elle-cli JSON (an array
of ``Op.to_json()`` maps) to a temporary file, elle-cli runs as
``PATH -m MODEL -f json FILE`` with a timeout, and its ``FILE<TAB>true|false`` line is
the verdict. Anything else (no such line, a crash, a timeout) is ``unknown`` with the
reason, never a guess. Its verdict is merged with ours by :func:`run_checkers`.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from base.op import Op
from checkers.elle.txn import is_txn_value
from checkers.results.elle import ELLE_CLI, ElleCliResult
from checkers.verdict import CheckResult, Verdict

_VERDICTS = {"true": Verdict.VALID, "false": Verdict.INVALID}


class ElleCliError(Exception):
    """elle-cli could not be run (missing, not executable): the user's setup."""


def elle_json(history: Iterable[Op], f: str = "txn") -> str:
    """The transactions of ``history`` as an elle-cli JSON array, one event per line."""
    events = [
        json.dumps(op.to_json(), separators=(",", ":"))
        for op in history
        if op.is_client and (op.f == f or is_txn_value(op.value))
    ]
    return "[" + ",\n ".join(events) + "]\n"


def parse_elle_output(stdout: str, path: str) -> Verdict | None:
    """The verdict on the ``PATH<TAB>true|false`` line for ``path``, or None."""
    for line in stdout.splitlines():
        name, sep, verdict = line.rstrip().rpartition("\t")
        if sep and (name == path or name.endswith(Path(path).name)):
            return _VERDICTS.get(verdict.strip(), Verdict.UNKNOWN)
    return None


class ElleCliChecker:
    """elle-cli's verdict on the history, as ``elle-cli`` in the results."""

    name = ELLE_CLI

    def __init__(
        self, program: str | Path, *, model: str = "list-append", timeout_s: float = 300.0
    ) -> None:
        self.program = Path(program)
        self.model = model
        self.timeout_s = timeout_s

    def check(self, history: Sequence[Op]) -> CheckResult:
        if not self.program.is_file():
            raise ElleCliError(f"elle-cli not found: {self.program}")
        with tempfile.TemporaryDirectory(prefix="splitbrain-elle-") as tmp:
            file = Path(tmp) / "history.json"
            file.write_text(elle_json(history))
            cmd = [str(self.program), "-m", self.model, "-f", "json", str(file)]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=self.timeout_s, check=False
                )
            except subprocess.TimeoutExpired:
                reason = f"elle-cli did not answer within {self.timeout_s:g} s"
                return CheckResult(self.name, Verdict.UNKNOWN, reason)
            except OSError as e:
                raise ElleCliError(f"cannot run elle-cli {self.program}: {e}") from e
        verdict = parse_elle_output(done.stdout, str(file))
        details = ElleCliResult(
            (str(self.program), "-m", self.model, "-f", "json", "HISTORY"),
            done.returncode,
            done.stdout[-4000:],
        ).to_json()
        if verdict is None:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            reason = f"no verdict from elle-cli (exit {done.returncode}): {tail[0][:200]}"
            return CheckResult(self.name, Verdict.UNKNOWN, reason, details)
        said = None if verdict is Verdict.VALID else f"elle-cli says {verdict.value}"
        return CheckResult(self.name, verdict, said, details)
