"""`harness lab up|down`: SSH hosts on this machine (namespaces running sshd) for trying
``--ssh-hosts`` without other machines (:mod:`harness.lab`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from base.exits import EXIT_BAD_ARGS, EXIT_INTERNAL, EXIT_VALID
from harness.lab import LabError, key_file, known_hosts_file, lab_down, lab_up
from harness.options import netns_available


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options: ``up`` and ``down``, each with --hosts-file."""
    actions = parser.add_subparsers(dest="lab_action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create the hosts and write FILE (--ssh-hosts format)")
    up.add_argument("--hosts", type=int, default=3, metavar="H", help="how many hosts (default 3)")
    up.add_argument("--hosts-file", required=True, type=Path, metavar="FILE")
    down = actions.add_parser("down", help="stop the lab's sshd, remove its namespaces and files")
    down.add_argument("--hosts-file", required=True, type=Path, metavar="FILE")


def usage(hosts_file: Path) -> str:
    """How to use a lab that is up (printed by ``lab up``)."""
    key, known = key_file(hosts_file), known_hosts_file(hosts_file)
    return "\n".join(
        [
            f"hosts file {hosts_file} (key {key}, known hosts {known})",
            "use it:",
            f"  harness run --ssh-hosts {hosts_file} --ssh-key {key} "
            f"--ssh-known-hosts {known} --db redis --nemesis partition-minority",
            f"  ssh -i {key} -o UserKnownHostsFile={known} root@ADDRESS",
            f"remove it: harness lab down --hosts-file {hosts_file}",
        ]
    )


def main(args: argparse.Namespace) -> int:
    if not netns_available():
        print("harness lab: needs root and the ip command (namespaces)", file=sys.stderr)
        return EXIT_BAD_ARGS
    hosts_file: Path = args.hosts_file
    try:
        if args.lab_action == "up":
            lab = lab_up(args.hosts, hosts_file)
            for host in lab.hosts:
                print(f"host {host.name}: {host.target} (namespace {host.netns})")
            print(usage(Path(lab.hosts_file)))
        else:
            for line in lab_down(hosts_file):
                print(f"removed {line}")
    except LabError as e:
        print(f"harness lab {args.lab_action}: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS if "must be at least" in str(e) else EXIT_INTERNAL
    return EXIT_VALID
