"""The options of ``harness run``, validated once into a frozen :class:`RunOptions`.

Bad input raises :class:`BadArguments` with a one-line message naming the option; the CLI
turns it into exit code 254.
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nemesis
from harness.dbs.cluster import DB_KINDS
from harness.generator import parse_concurrency
from harness.workloads import WORKLOADS

NET_KINDS = ("netns", "loopback")
APPENDFSYNC = ("always", "everysec", "no")


class BadArguments(ValueError):
    """A user mistake in the options (exit code 254)."""


def netns_available() -> bool:
    """Root and the ``ip`` command: network namespaces can be made."""
    return os.geteuid() == 0 and shutil.which("ip") is not None


@dataclass(frozen=True)
class RunOptions:
    db: str = "splitbrain"
    workload: str = "set"
    nemesis: str = "none"
    faults: tuple[str, ...] = ()
    nemesis_interval_s: float = 10.0
    recovery_windows: bool = True
    nemesis_settings: tuple[str, ...] = ()
    net: str = "loopback"
    subnet: str | None = None
    nodes: int = 6
    replicas: int = 1
    node_timeout_ms: int = 2000
    appendonly: bool = True
    appendfsync: str = "everysec"
    node_options: tuple[str, ...] = ()
    concurrency: int = 12
    concurrency_spec: str = "2n"
    rate: float = 1000.0
    time_limit_s: float = 60.0
    recovery_time_s: float = 10.0
    final_read_timeout_s: float = 30.0
    op_timeout_ms: int = 1000
    connect_timeout_ms: int = 1000
    wait_replicas: int = 0
    wait_timeout_ms: int = 100
    wait_strict: bool = False
    keys: int = 12
    cas: str = "lua"
    key_group: int = 5
    ops_per_key: int = 50
    seed: int = 0
    store: Path = Path("store")
    test_name: str | None = None
    ready_timeout_s: float = 60.0
    check_timeout_s: float = 120.0
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["store"] = str(self.store)
        return data


def _node_options(pairs: list[str]) -> tuple[str, ...]:
    argv: list[str] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("-")
        if not sep or not name:
            raise BadArguments(f"--node-option {pair!r}: want NAME=VALUE, e.g. maxmemory=100mb")
        argv += [f"--{name}", value]
    return tuple(argv)


def _positive(value: float, option: str, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero):
        raise BadArguments(f"{option} {value:g}: must be {'>= 0' if allow_zero else '> 0'}")


def _faults(spec: str) -> tuple[str, ...]:
    if spec.strip().lower() in ("", "none"):
        return ()
    try:
        return tuple(nemesis.parse_faults(spec))
    except ValueError as e:
        raise BadArguments(f"--nemesis: {e}") from e


def from_args(args: argparse.Namespace) -> RunOptions:
    """Validate the parsed arguments of ``harness run``."""
    notes: list[str] = []
    net = args.net or ("netns" if netns_available() else "loopback")
    if net == "netns" and not netns_available():
        raise BadArguments("--net netns needs root and the ip command; use --net loopback")
    nemesis_spec = args.nemesis
    if nemesis_spec is None:
        if net == "netns":
            nemesis_spec = "partition-minority"
        else:
            nemesis_spec = "none"
            notes.append(
                "no network namespaces here (not root?): running on loopback without faults; "
                "partitions need --net netns"
            )
    faults = _faults(nemesis_spec)
    if net == "loopback":
        network_faults = nemesis.needing(nemesis.Need.NETNS, faults)
        if network_faults:
            raise BadArguments(
                f"--nemesis {','.join(network_faults)}: network faults need --net netns "
                "(on loopback there is nothing between the nodes to cut)"
            )
    if args.nodes < 1:
        raise BadArguments(f"--nodes {args.nodes}: must be >= 1")
    if args.replicas < 0 or args.nodes < 3 * (args.replicas + 1):
        raise BadArguments(
            f"--nodes {args.nodes} --replicas {args.replicas}: redis-cli needs at least 3 "
            "primaries, i.e. nodes >= 3 * (replicas + 1)"
        )
    try:
        concurrency = parse_concurrency(args.concurrency, args.nodes)
    except ValueError as e:
        raise BadArguments(str(e)) from e
    _positive(args.time_limit, "--time-limit")
    _positive(args.rate, "--rate", allow_zero=True)
    _positive(args.recovery_time, "--recovery-time", allow_zero=True)
    _positive(args.op_timeout, "--op-timeout")
    _positive(args.node_timeout, "--node-timeout")
    _positive(args.nemesis_interval, "--nemesis-interval")
    _positive(args.wait, "--wait", allow_zero=True)
    _positive(args.wait_timeout, "--wait-timeout", allow_zero=True)
    if args.wait_strict and args.wait == 0:
        raise BadArguments("--wait-strict needs --wait N with N > 0")
    if args.keys < 1 or args.key_group < 1 or args.ops_per_key < 1:
        raise BadArguments("--keys, --key-group and --ops-per-key must be >= 1")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise BadArguments(f"--seed {args.seed}: want 0 <= seed < 2**63")
    return RunOptions(
        db=args.db,
        workload=args.workload,
        nemesis=",".join(faults) or "none",
        faults=faults,
        nemesis_interval_s=args.nemesis_interval,
        recovery_windows=not args.no_recovery,
        nemesis_settings=tuple(args.nemesis_option or ()),
        net=net,
        subnet=args.subnet,
        nodes=args.nodes,
        replicas=args.replicas,
        node_timeout_ms=args.node_timeout,
        appendonly=args.appendonly == "yes",
        appendfsync=args.appendfsync,
        node_options=_node_options(args.node_option or []),
        concurrency=concurrency,
        concurrency_spec=args.concurrency,
        rate=args.rate,
        time_limit_s=args.time_limit,
        recovery_time_s=args.recovery_time,
        final_read_timeout_s=args.final_read_timeout,
        op_timeout_ms=args.op_timeout,
        connect_timeout_ms=args.op_timeout,
        wait_replicas=args.wait,
        wait_timeout_ms=args.wait_timeout,
        wait_strict=args.wait_strict,
        keys=args.keys,
        cas=args.cas or ("lua" if args.db == "redis" else "watch"),
        key_group=args.key_group,
        ops_per_key=args.ops_per_key,
        seed=args.seed if args.seed is not None else 0,
        store=Path(args.store),
        test_name=args.test_name,
        ready_timeout_s=args.ready_timeout,
        check_timeout_s=args.check_timeout,
        notes=tuple(notes),
    )


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """Every option of ``harness run`` (documented in docs/harness.md)."""
    g = p.add_argument_group("database")
    g.add_argument(
        "--db",
        choices=DB_KINDS,
        default="splitbrain",
        help="server to test: splitbrain (ours, default) or redis (Debian's redis-server)",
    )
    g.add_argument("--nodes", type=int, default=6, help="cluster nodes (default 6)")
    g.add_argument("--replicas", type=int, default=1, help="replicas per primary (default 1)")
    g.add_argument(
        "--node-timeout",
        type=int,
        default=2000,
        metavar="MS",
        help="cluster-node-timeout in ms (default 2000)",
    )
    g.add_argument(
        "--appendonly", choices=("yes", "no"), default="yes", help="AOF on (default yes)"
    )
    g.add_argument(
        "--appendfsync",
        choices=APPENDFSYNC,
        default="everysec",
        help="AOF fsync policy (default everysec)",
    )
    g.add_argument(
        "--node-option",
        action="append",
        metavar="NAME=VALUE",
        help="extra server option passed to every node as --NAME VALUE (repeatable)",
    )
    g.add_argument(
        "--net",
        choices=NET_KINDS,
        default=None,
        help="netns: a namespace per node (default when root); loopback: 127.0.0.1, "
        "no partitions possible",
    )
    g.add_argument(
        "--subnet",
        default=None,
        help="private subnet for --net netns (default: a free /24 of 10.77.0.0/16)",
    )
    g.add_argument(
        "--ready-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="deadline for the cluster to become healthy (default 60)",
    )
    g = p.add_argument_group("workload")
    g.add_argument("--workload", choices=WORKLOADS, default="set", help="default set")
    g.add_argument(
        "--concurrency",
        default="2n",
        metavar="N|Nn",
        help="workers: a number, or N per node with a trailing n (default 2n)",
    )
    g.add_argument(
        "--rate",
        type=float,
        default=1000.0,
        metavar="OPS",
        help="total ops/s, 0 = as fast as possible (default 1000)",
    )
    g.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds of workload with faults (default 60)",
    )
    g.add_argument(
        "--recovery-time",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait after the final heal before final reads (default 10)",
    )
    g.add_argument(
        "--final-read-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="deadline for the final reads to succeed (default 30)",
    )
    g.add_argument(
        "--op-timeout",
        type=int,
        default=1000,
        metavar="MS",
        help="client timeout per operation (and connect); a timeout is info (default 1000)",
    )
    g.add_argument(
        "--wait",
        type=int,
        default=0,
        metavar="N",
        help="follow every write with WAIT N on the same connection (default 0: no WAIT)",
    )
    g.add_argument(
        "--wait-timeout", type=int, default=100, metavar="MS", help="WAIT's timeout (default 100)"
    )
    g.add_argument(
        "--wait-strict",
        action="store_true",
        help="a write acknowledged by fewer than N replicas completes as info",
    )
    g.add_argument(
        "--keys", type=int, default=12, help="set/counter keys, spread over the slots (default 12)"
    )
    g.add_argument(
        "--cas",
        choices=("lua", "watch"),
        default=None,
        help="register's cas: a Lua script (EVAL) or WATCH/MULTI/EXEC "
        "(default lua on redis, watch on splitbrain)",
    )
    g.add_argument(
        "--key-group",
        type=int,
        default=5,
        help="register/list-append: workers sharing a rotating key (default 5)",
    )
    g.add_argument(
        "--ops-per-key",
        type=int,
        default=50,
        help="register/list-append: ops per worker on a key before moving on (default 50)",
    )
    g.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the generator and nemesis (default: random, printed)",
    )
    g = p.add_argument_group("nemesis")
    g.add_argument(
        "--nemesis",
        default=None,
        metavar="FAULTS",
        help="comma-separated faults or 'none' (default: partition-minority with netns, "
        "none on loopback)",
    )
    g.add_argument(
        "--nemesis-interval",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds between fault changes (default 10)",
    )
    g.add_argument("--no-recovery", action="store_true", help="no quiet window between faults")
    g.add_argument(
        "--nemesis-option",
        action="append",
        metavar="NAME=VALUE",
        help="a nemesis setting (repeatable), e.g. packet_loss_percent=30, "
        "flap_period_s=2, recovery_s=5 (see docs/nemesis.md)",
    )
    g = p.add_argument_group("output")
    g.add_argument(
        "--store", default="store", metavar="DIR", help="run store folder (default ./store)"
    )
    g.add_argument("--test-name", default=None, help="default <db>-<workload>-<nemesis>")
    g.add_argument(
        "--check-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="deadline handed to the checkers (default 120)",
    )
