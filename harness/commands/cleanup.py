"""`harness cleanup`: remove what a killed run left behind."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_VALID
from harness.dbs.ssh_cluster import SSHAccess
from harness.leftovers import CleanupReport, clean_prefix, clean_run, unfinished_runs
from harness.ssh import read_hosts_file
from harness.ssh_cleanup import clean_ssh_hosts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.add_argument(
        "runs",
        nargs="*",
        metavar="RUN_DIR",
        help="run folders to clean (default: every unfinished run in the store)",
    )
    parser.add_argument(
        "--store", default="store", metavar="DIR", help="run store (default ./store)"
    )
    parser.add_argument(
        "--prefix",
        action="append",
        metavar="PREFIX",
        help="also remove namespaces / nft tables named with this prefix (e.g. sb4f2a1); "
        "careful: 'sb' matches every run on the host",
    )
    parser.add_argument(
        "--force", action="store_true", help="clean runs even if their harness still runs"
    )
    ssh = parser.add_argument_group("ssh hosts")
    ssh.add_argument(
        "--ssh-hosts",
        type=Path,
        metavar="FILE",
        help="also clean these SSH hosts: node processes, nft tables and run folders of "
        "every run (or of --prefix runs only)",
    )
    ssh.add_argument("--ssh-key", type=Path, metavar="KEY", help="default: the SSH agent")
    ssh.add_argument("--ssh-known-hosts", type=Path, metavar="FILE")
    ssh.add_argument("--ssh-insecure", action="store_true", help="do not check host keys")


def main(args: argparse.Namespace) -> int:
    report = CleanupReport()
    if args.ssh_hosts is not None:
        try:
            targets = tuple(read_hosts_file(args.ssh_hosts))
        except ValueError as e:
            print(f"harness cleanup: --ssh-hosts: {e}", file=sys.stderr)
            return EXIT_BAD_ARGS
        access = SSHAccess(targets, args.ssh_key, args.ssh_known_hosts, args.ssh_insecure)
        for prefix in args.prefix or ["sb"]:
            asyncio.run(clean_ssh_hosts(access, prefix, report))
    runs = [Path(r) for r in args.runs] or unfinished_runs(Path(args.store))
    for run_dir in runs:
        if not run_dir.is_dir():
            print(f"harness cleanup: {run_dir}: not a folder", file=sys.stderr)
            return EXIT_BAD_ARGS
        clean_run(run_dir, report, force=args.force)
    for prefix in args.prefix or []:
        if not prefix.startswith("sb") or len(prefix) < 2:
            print(f"harness cleanup: --prefix {prefix!r}: must start with 'sb'", file=sys.stderr)
            return EXIT_BAD_ARGS
        clean_prefix(prefix, report)
    for line in report.removed:
        print(f"removed {line}")
    for line in report.skipped:
        print(f"skipped {line}")
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    if not (report.removed or report.skipped or report.errors):
        print("nothing to clean")
    return EXIT_INTERNAL if report.errors else EXIT_VALID
