"""`harness check`: check history files with a model.

Prints ``PATH<TAB>true|false|unknown`` per file (elle-cli's form); ``-v`` adds the
reason and the explanation in words (linearizability's unplaceable operation, set-full's
lost writes, list-append's cycles with their edge kinds, counter reads out of bounds).
Exit code, the first that applies: 254 bad arguments or input in any file (unknown
model, unreadable file, a history line that does not parse, an operation the model
cannot interpret, values whose independent-key reading is ambiguous: one line on stderr
naming the file and line or event; the other files' verdicts are still printed), 1 any
file invalid (also when others are unknown), 2 any unknown, 0 all valid.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from base.exits import EXIT_BAD_ARGS, EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID
from checkers.history import FORMATS, HistoryError, read_history
from checkers.history.jsonl_rows import read_rows
from checkers.history.keys import CHOICES, PlainShape
from checkers.models import LINEAR_MODELS, REGISTRY, CheckOptions, checker_for

NAME = "check"
HELP = "Check history files with a model; prints PATH<TAB>true|false|unknown per file."

PARALLEL_MIN_BYTES = 64 * 1024
"""Several files totalling less than this are checked in this process."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without importing ``shutil`` (argparse builds one for
    every ``add_argument``; ``shutil`` and what it loads cost start-up time)."""

    def __init__(self, prog: str) -> None:
        columns = os.environ.get("COLUMNS", "")
        try:
            width = int(columns) if columns.isdigit() else os.get_terminal_size(2).columns
        except OSError:
            width = 80
        super().__init__(prog, width=max(width - 2, 40))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.formatter_class = _Formatter
    parser.add_argument(
        "--model", required=True, help=f"what to check against: {', '.join(sorted(REGISTRY))}"
    )
    parser.add_argument(
        "--format", default="auto", choices=("auto", *FORMATS), help="history format (auto)"
    )
    parser.add_argument(
        "--independent",
        choices=CHOICES,
        default="auto",
        help="values are [key value] pairs of independent keys (jepsen.independent): "
        "yes, no, or auto (decided from the model and the values)",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="per file (60; 0: none)"
    )
    parser.add_argument(
        "--max-memory", type=int, default=1024, metavar="MB", help="search memo bound (1024)"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--failed-cas-reads",
        action="store_true",
        help="cas-register: a failed cas read another value (Porcupine) instead of "
        "not happening (Knossos)",
    )
    parser.add_argument(
        "--consistency",
        choices=("serializable", "strict-serializable"),
        default=None,
        help="list-append: the consistency model (serializable)",
    )
    parser.add_argument(
        "--elle-cli",
        metavar="PATH",
        default=None,
        help="list-append: also run this elle-cli program and merge its verdict",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="explain each verdict")
    parser.add_argument("files", nargs="+", metavar="FILE")


# NamedTuples, not dataclasses: they are created several times faster, which counts in
# this command's start-up time.
class FileVerdict(NamedTuple):
    """One file's line and explanation, or the error that stopped it (``bad_input``)."""

    path: str
    verdict: str  # "true", "false", "unknown", or "" with error
    text: str = ""
    error: str = ""


class _Job(NamedTuple):
    model: str
    fmt: str
    options: CheckOptions
    verbose: bool
    independent: str = "auto"
    plain: PlainShape | None = None
    total_bytes: int = 0  # of all the files: large amounts are worth a faster JSON decoder


def _plain_shape(model: str) -> PlainShape | None:
    """The model's value shapes, for telling independent-key histories apart (None: the
    generic rule of ``checkers.history.keys``)."""
    if model not in LINEAR_MODELS:
        return None
    from checkers.linear import MODELS  # noqa: PLC0415 (imported on use: start-up time)

    return MODELS[model]().plain_value


def _check_file(path: str, job: _Job) -> FileVerdict:
    """One file's verdict. Input that does not fit is an error (exit 254); a checker that
    crashes otherwise gives ``unknown`` with the error as reason, as in ``run_checkers``."""
    model = job.model
    rows = None
    try:
        if model in LINEAR_MODELS:  # our jsonl, read straight to pairing rows
            rows = read_rows(path, job.fmt, job.independent, job.plain, job.total_bytes)
        history = read_history(path, job.fmt, job.independent, job.plain) if rows is None else []
    except OSError as e:
        return FileVerdict(path, "", error=f"{path}: {e.strerror or e}")
    except HistoryError as e:
        return FileVerdict(path, "", error=str(e))
    try:
        checker = checker_for(model, job.options)
        if rows is not None:
            from checkers.linear import LinearizabilityChecker  # noqa: PLC0415 (loaded by now)

            assert isinstance(checker, LinearizabilityChecker)
            result = checker.check_rows(rows)
        else:
            result = checker.check(history)
    except HistoryError as e:  # events that do not pair
        return FileVerdict(path, "", error=f"{path}: {e}")
    except Exception as e:  # a crashing checker must not lose the other files' verdicts
        linear = sys.modules.get("checkers.linear.model")  # loaded if a linear model ran
        if linear is not None and isinstance(e, linear.ModelError):
            return FileVerdict(path, "", error=f"{path}: does not fit model {model}: {e}")
        reason = f"checker crashed: {type(e).__name__}: {e}"
        return FileVerdict(path, "unknown", reason if job.verbose else "")
    verdict = {"valid": "true", "invalid": "false"}.get(result.verdict.value, "unknown")
    text = ""
    if job.verbose:
        from checkers.explanations import explain_in_words  # noqa: PLC0415 (only with -v)

        text = explain_in_words(result)
    return FileVerdict(path, verdict, text)


_JOB: _Job | None = None
"""The job of forked workers (inherited, not pickled)."""


def _in_worker(path: str) -> FileVerdict:
    assert _JOB is not None
    return _check_file(path, _JOB)


def _check_all(paths: Sequence[str], job: _Job) -> list[FileVerdict]:
    """Every file's verdict, in order; files go to worker processes when there are
    several and enough bytes to make that pay (each file's checker then uses one)."""
    sizes = {p: os.path.getsize(p) for p in paths}
    job = job._replace(total_bytes=sum(sizes.values()))
    workers = job.options.workers
    if workers < 2 or len(paths) < 2 or sum(sizes.values()) < PARALLEL_MIN_BYTES:
        return [_check_file(p, job) for p in paths]
    # imported here: they cost more start-up time than checking a small file
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    global _JOB
    _JOB = job._replace(options=replace(job.options, workers=1))
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            largest_first = sorted(paths, key=lambda p: -sizes[p])
            done = dict(zip(largest_first, pool.map(_in_worker, largest_first), strict=True))
    finally:
        _JOB = None
    return [done[p] for p in paths]


def main(args: argparse.Namespace) -> int:
    prog = "harness check"
    if args.model not in REGISTRY:
        print(
            f"{prog}: unknown model {args.model!r} (known: {', '.join(sorted(REGISTRY))})",
            file=sys.stderr,
        )
        return EXIT_BAD_ARGS
    if args.timeout < 0 or args.max_memory <= 0 or args.workers < 1:
        print(f"{prog}: --timeout, --max-memory and --workers must be positive", file=sys.stderr)
        return EXIT_BAD_ARGS
    if (args.elle_cli is not None or args.consistency is not None) and (
        args.model != "list-append"
    ):
        print(f"{prog}: --elle-cli and --consistency apply to --model list-append", file=sys.stderr)
        return EXIT_BAD_ARGS
    if args.elle_cli is not None and not os.access(args.elle_cli, os.X_OK):
        print(f"{prog}: --elle-cli {args.elle_cli}: not an executable file", file=sys.stderr)
        return EXIT_BAD_ARGS
    for path in args.files:
        if not os.path.isfile(path):
            print(f"{prog}: {path}: no such file", file=sys.stderr)
            return EXIT_BAD_ARGS
    options = CheckOptions(
        timeout_s=args.timeout or None,
        max_memory_mb=args.max_memory,
        workers=args.workers,
        failed_cas_reads=args.failed_cas_reads,
        consistency=args.consistency or "serializable",
        elle_cli=args.elle_cli,
    )
    job = _Job(
        args.model,
        args.format,
        options,
        args.verbose,
        args.independent,
        _plain_shape(args.model),
    )
    results = _check_all(args.files, job)
    bad = any(r.error for r in results)
    try:
        for r in results:
            if r.error:
                print(f"{prog}: {r.error}", file=sys.stderr)
                continue
            print(f"{r.path}\t{r.verdict}")
            if r.text:
                print(r.text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (``| head``); the exit code still tells
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    verdicts = {r.verdict for r in results}
    if bad:
        return EXIT_BAD_ARGS
    if "false" in verdicts:
        return EXIT_INVALID
    if "unknown" in verdicts:
        return EXIT_UNKNOWN
    return EXIT_VALID


def standalone(argv: Sequence[str] | None = None) -> int:
    """``python -m harness.commands.check ...``: the same command without loading the other
    subcommands (whose imports cost more than checking a small history)."""

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            self.print_usage(sys.stderr)
            self.exit(EXIT_BAD_ARGS, f"{self.prog}: error: {message}\n")

    parser = _Parser(prog="harness check", description=HELP, formatter_class=_Formatter)
    add_arguments(parser)
    return main(parser.parse_args(argv))


def _run_as_program() -> None:
    """``python -m harness.commands.check``: run, then leave at once. The garbage
    collector's young generation is collected every 50,000 allocations, not 700 (reading
    a history allocates a great many objects, nearly none in cycles), and the process
    ends with ``os._exit`` once the output is flushed, skipping the interpreter's
    teardown (a full collection and freeing every object): together about a tenth of
    a small file's whole-process time."""
    import gc  # noqa: PLC0415 (only when run as a program)

    gc.set_threshold(50_000, 20, 20)
    code = standalone()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _run_as_program()
