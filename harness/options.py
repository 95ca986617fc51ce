"""The options of ``harness run``, validated once into a frozen :class:`RunOptions`.

Each option is declared on the field it sets (:mod:`harness.flags`): its default, help
and group, so ``--help`` shows the defaults the run uses. The cluster's options are
:class:`~harness.dbs.cluster.ClusterSpec`'s fields, the nemesis's are a
:class:`~nemesis.NemesisOptions` built once, here. Bad input raises
:class:`BadArguments` with a one-line message naming the option; the CLI turns it into
exit code 254.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nemesis
from base.db import HasPrimaries, Pausable
from harness.dbs.cluster_spec import ClusterSpec
from harness.flags import BadArguments, Flag, add_flags, flag, flag_values, nested
from harness.generator import parse_concurrency
from harness.ssh import SSHTarget, read_hosts_file
from harness.workloads import WORKLOADS
from nemesis import NemesisOptions

NET_KINDS = ("netns", "loopback")

__all__ = ["BadArguments", "RunOptions", "add_run_arguments", "from_args", "netns_available"]


def netns_available() -> bool:
    """Root and the ``ip`` command: network namespaces can be made."""
    return os.geteuid() == 0 and shutil.which("ip") is not None


NEMESIS_FLAGS = {
    "interval_s": Flag(
        "--nemesis-interval",
        "nemesis",
        "seconds between fault changes (default {default})",
        metavar="S",
        kind=float,
    ),
    "recovery": Flag(
        "--no-recovery", "nemesis", "no quiet window between faults", store_false=True
    ),
}
"""The flags of :class:`nemesis.NemesisOptions` fields (the nemesis does not know the
harness's command line; their defaults are its own)."""


@dataclass(frozen=True)
class RunOptions:
    """A validated ``harness run``. Fields without a flag are derived in
    :func:`from_args`: ``faults`` (from ``nemesis``), ``concurrency`` (from
    ``concurrency_spec`` and the node count) and ``notes`` (said at the start)."""

    cluster: ClusterSpec = nested(ClusterSpec)  # noqa: RUF009 (a field specifier)
    net: str = flag(
        "loopback",
        "--net",
        "database",
        "netns: a namespace per node (default when root); loopback: 127.0.0.1, "
        "no partitions possible",
        choices=NET_KINDS,
        cli_default=None,
    )
    subnet: str | None = flag(
        None,
        "--subnet",
        "database",
        "private subnet for --net netns (default: a free /24 of 10.77.0.0/16)",
    )
    hosts: int = flag(
        0,
        "--hosts",
        "database",
        "place the nodes on H hosts (namespaces), two or more per host on ports 7000, "
        "7001, ...; faults then target hosts (default: a namespace per node)",
        kind=int,
        metavar="H",
    )
    seed_node: str | None = flag(
        None,
        "--seed-node",
        "database",
        "with --db external: a node of the running cluster to test",
        metavar="HOST:PORT",
    )
    key_prefix: str | None = flag(
        None,
        "--key-prefix",
        "workload",
        "put before every key (default: '<run prefix>:' with --db external, else none)",
        metavar="TEXT",
    )
    ssh_hosts: Path | None = flag(  # noqa: RUF009 (a field specifier)
        None,
        "--ssh-hosts",
        "ssh",
        "run the nodes on these machines over SSH: one user@host[:port] per line "
        "(harness lab up makes such a file)",
        metavar="FILE",
        parse=Path,
    )
    ssh_key: Path | None = flag(  # noqa: RUF009 (a field specifier)
        None,
        "--ssh-key",
        "ssh",
        "client key (default: the SSH agent)",
        metavar="KEY",
        parse=Path,
    )
    ssh_known_hosts: Path | None = flag(  # noqa: RUF009 (a field specifier)
        None,
        "--ssh-known-hosts",
        "ssh",
        "known-hosts file the host keys are checked against (default ~/.ssh/known_hosts)",
        metavar="FILE",
        parse=Path,
    )
    ssh_insecure: bool = flag(
        False, "--ssh-insecure", "ssh", "do not check the hosts' keys", store_true=True
    )
    ssh_python: str = flag(
        "python3",
        "--ssh-python",
        "ssh",
        "the hosts' Python for --db splitbrain (needs hiredis and lupa; default {default})",
        metavar="PATH",
    )
    workload: str = flag("set", "--workload", "workload", "default {default}", choices=WORKLOADS)
    concurrency_spec: str = flag(
        "2n",
        "--concurrency",
        "workload",
        "workers: a number, or N per node with a trailing n (default {default})",
        metavar="N|Nn",
    )
    rate: float = flag(
        1000.0,
        "--rate",
        "workload",
        "total ops/s, 0 = as fast as possible (default {default})",
        metavar="OPS",
        kind=float,
    )
    time_limit_s: float = flag(
        60.0,
        "--time-limit",
        "workload",
        "seconds of workload with faults (default {default})",
        metavar="S",
        kind=float,
    )
    recovery_time_s: float = flag(
        10.0,
        "--recovery-time",
        "workload",
        "seconds to wait after the final heal before final reads (default {default})",
        metavar="S",
        kind=float,
    )
    final_read_timeout_s: float = flag(
        30.0,
        "--final-read-timeout",
        "workload",
        "deadline for the final reads to succeed (default {default})",
        metavar="S",
        kind=float,
    )
    op_timeout_ms: int = flag(
        1000,
        "--op-timeout",
        "workload",
        "client timeout per operation (and connect); a timeout is info (default {default})",
        metavar="MS",
        kind=int,
    )
    wait_replicas: int = flag(
        0,
        "--wait",
        "workload",
        "follow every write with WAIT N on the same connection (default {default}: no WAIT)",
        metavar="N",
        kind=int,
    )
    wait_timeout_ms: int = flag(
        100, "--wait-timeout", "workload", "WAIT's timeout (default {default})", metavar="MS",
        kind=int,
    )  # fmt: skip
    wait_strict: bool = flag(
        False,
        "--wait-strict",
        "workload",
        "a write acknowledged by fewer than N replicas completes as info",
        store_true=True,
    )
    keys: int = flag(
        12, "--keys", "workload", "set/counter keys, spread over the slots (default {default})",
        kind=int,
    )  # fmt: skip
    cas: str = flag(
        "lua",
        "--cas",
        "workload",
        "register's cas: a Lua script (EVAL) or WATCH/MULTI/EXEC (default {default})",
        choices=("lua", "watch"),
    )
    key_group: int = flag(
        5,
        "--key-group",
        "workload",
        "register/list-append: workers sharing a rotating key (default {default})",
        kind=int,
    )
    ops_per_key: int = flag(
        50,
        "--ops-per-key",
        "workload",
        "register/list-append: ops per worker on a key before moving on (default {default})",
        kind=int,
    )
    seed: int = flag(
        0,
        "--seed",
        "workload",
        "seed of the generator and nemesis (default: random, printed)",
        kind=int,
        cli_default=None,
    )
    nemesis: str = flag(
        "none",
        "--nemesis",
        "nemesis",
        "comma-separated faults or 'none' (default: partition-minority with netns, "
        "none on loopback)",
        metavar="FAULTS",
        cli_default=None,
    )
    nemesis_options: NemesisOptions = nested(NemesisOptions, NEMESIS_FLAGS)  # noqa: RUF009
    nemesis_settings: tuple[str, ...] = flag(
        (),
        "--nemesis-option",
        "nemesis",
        "a nemesis setting (repeatable), e.g. packet_loss_percent=30, "
        "flap_period_s=2, recovery_s=5 (see docs/nemesis.md)",
        metavar="NAME=VALUE",
        repeat=True,
    )
    store: Path = flag(  # noqa: RUF009 (a field specifier)
        Path("store"),
        "--store",
        "output",
        "run store folder (default ./{default})",
        metavar="DIR",
        parse=Path,
    )
    test_name: str | None = flag(None, "--test-name", "output", "default <db>-<workload>-<nemesis>")
    check_timeout_s: float = flag(
        120.0,
        "--check-timeout",
        "output",
        "deadline handed to the checkers (default {default})",
        metavar="S",
        kind=float,
    )
    faults: tuple[str, ...] = ()
    concurrency: int = 12
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def connect_timeout_ms(self) -> int:
        """Connecting has the operation's deadline (``--op-timeout``)."""
        return self.op_timeout_ms

    def to_json(self) -> dict[str, Any]:
        """test.json's ``options``: the cluster's fields at the top level (as they were
        before the cluster had its own spec), the nemesis's options as an object."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data.update(dataclasses.asdict(data.pop("cluster")))
        data["nemesis_options"] = dataclasses.asdict(self.nemesis_options)
        data["store"] = str(self.store)
        return data


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


def ssh_hosts(given: dict[str, Any]) -> list[SSHTarget]:
    """``--ssh-hosts``: a readable hosts file, and no option that means namespaces here."""
    if given["net"] is not None:
        raise BadArguments("--ssh-hosts: the nodes run on the SSH hosts; drop --net")
    if given["hosts"]:
        raise BadArguments("--ssh-hosts and --hosts: the hosts file says the hosts")
    try:
        return read_hosts_file(given["ssh_hosts"])
    except ValueError as e:
        raise BadArguments(f"--ssh-hosts: {e}") from e


def _check_ssh_faults(faults: tuple[str, ...]) -> None:
    """Faults that need this machine's namespaces, libfaketime or lossyfs are refused."""
    local = [
        f
        for need in (nemesis.Need.NETEM, nemesis.Need.FAKETIME, nemesis.Need.LOSSY_DISK)
        for f in nemesis.needing(need, faults)
    ]
    if local:
        raise BadArguments(
            f"--nemesis {','.join(local)}: not on SSH hosts (they need node namespaces, "
            "libfaketime or a lossyfs on this machine)"
        )


def _check_external(given: dict[str, Any], db: str) -> None:
    """``--db external`` and ``--seed-node HOST:PORT`` go together; nothing runs here."""
    seed = given["seed_node"]
    if db != "external":
        raise BadArguments("--seed-node needs --db external")
    if seed is None:
        raise BadArguments("--db external needs --seed-node HOST:PORT (a node of the cluster)")
    host, _, port = seed.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BadArguments(f"--seed-node {seed!r}: want HOST:PORT")
    if given["net"] is not None:
        raise BadArguments("--db external: the cluster runs already; drop --net")
    if given["hosts"]:
        raise BadArguments("--db external: the cluster runs already; drop --hosts")


def _check_external_faults(faults: tuple[str, ...], ssh: bool) -> None:
    """Only faults that need nothing on the hosts (the cluster's own commands); with
    ``--ssh-hosts`` also network faults (nft there) and pauses (by the nodes' pids)."""
    needs: frozenset[nemesis.Need] = frozenset({nemesis.Need.NETNS}) if ssh else frozenset()
    abilities: tuple[type, ...] = (HasPrimaries, Pausable) if ssh else (HasPrimaries,)
    wrong = [
        f
        for f in faults
        if not nemesis.SPECS[f].needs <= needs
        or any(a not in abilities for a in nemesis.SPECS[f].abilities)
    ]
    if wrong:
        what = (
            "failover, reshard, partitions, packet loss, flap and pauses"
            if ssh
            else "failover and reshard (more with --ssh-hosts)"
        )
        raise BadArguments(
            f"--nemesis {','.join(wrong)}: not against an external cluster (its nodes are "
            f"not the harness's to start); it takes {what}"
        )


def _check_hosts(hosts: int, net: str | None, nodes: int) -> None:
    """``--hosts``: namespaces, and at least two nodes on every host."""
    if hosts < 1:
        raise BadArguments(f"--hosts {hosts}: must be >= 1")
    if net == "loopback" or not netns_available():
        raise BadArguments(
            "--hosts needs --net netns (each host is a network namespace: root and ip)"
        )
    if nodes < 2 * hosts:
        raise BadArguments(
            f"--hosts {hosts} --nodes {nodes}: want two or more nodes per host "
            f"(--nodes >= {2 * hosts}); without --hosts every node has a host of its own"
        )


def nemesis_options(base: NemesisOptions, settings: tuple[str, ...]) -> NemesisOptions:
    """``base`` (from ``--nemesis-interval`` and ``--no-recovery``) with the
    ``--nemesis-option NAME=VALUE`` settings applied last, so they win. Raises
    :class:`BadArguments` naming a bad setting."""
    try:
        return nemesis.with_settings(base, settings)
    except ValueError as e:
        raise BadArguments(f"--nemesis-option: {e}") from e


def from_args(args: argparse.Namespace) -> RunOptions:
    """Validate the parsed arguments of ``harness run``."""
    given = flag_values(args, RunOptions)
    cluster = ClusterSpec(**flag_values(args, RunOptions, "cluster."))
    notes: list[str] = []
    if given["hosts"]:
        _check_hosts(given["hosts"], given["net"], cluster.nodes)
    if given["ssh_hosts"] is not None:
        ssh_hosts(given)
    if cluster.db == "external" or given["seed_node"] is not None:
        _check_external(given, cluster.db)
    net = given["net"] or ("netns" if netns_available() else "loopback")
    if given["ssh_hosts"] is not None:
        net = "ssh"
    if cluster.db == "external":
        net = "external"
    if net == "netns" and not netns_available():
        raise BadArguments("--net netns needs root and the ip command; use --net loopback")
    nemesis_spec = given["nemesis"]
    if nemesis_spec is None:
        if net in ("netns", "ssh"):
            nemesis_spec = "partition-minority"
        elif net == "external":
            nemesis_spec = "none"
        else:
            nemesis_spec = "none"
            notes.append(
                "no network namespaces here (not root?): running on loopback without faults; "
                "partitions need --net netns"
            )
    faults = _faults(nemesis_spec)
    if net == "ssh":
        _check_ssh_faults(faults)
    if net == "external":
        _check_external_faults(faults, ssh=given["ssh_hosts"] is not None)
    if net == "loopback":
        network_faults = nemesis.needing(nemesis.Need.NETNS, faults)
        if network_faults:
            raise BadArguments(
                f"--nemesis {','.join(network_faults)}: network faults need --net netns "
                "(on loopback there is nothing between the nodes to cut)"
            )
    if cluster.nodes < 1:
        raise BadArguments(f"--nodes {cluster.nodes}: must be >= 1")
    if cluster.replicas < 0 or cluster.nodes < 3 * (cluster.replicas + 1):
        raise BadArguments(
            f"--nodes {cluster.nodes} --replicas {cluster.replicas}: redis-cli needs at "
            "least 3 primaries, i.e. nodes >= 3 * (replicas + 1)"
        )
    try:
        concurrency = parse_concurrency(given["concurrency_spec"], cluster.nodes)
    except ValueError as e:
        raise BadArguments(str(e)) from e
    _positive(given["time_limit_s"], "--time-limit")
    _positive(given["rate"], "--rate", allow_zero=True)
    _positive(given["recovery_time_s"], "--recovery-time", allow_zero=True)
    _positive(given["op_timeout_ms"], "--op-timeout")
    _positive(cluster.node_timeout_ms, "--node-timeout")
    nemesis_given = flag_values(args, RunOptions, "nemesis_options.")
    _positive(nemesis_given["interval_s"], "--nemesis-interval")
    _positive(given["wait_replicas"], "--wait", allow_zero=True)
    _positive(given["wait_timeout_ms"], "--wait-timeout", allow_zero=True)
    if given["wait_strict"] and given["wait_replicas"] == 0:
        raise BadArguments("--wait-strict needs --wait N with N > 0")
    if given["keys"] < 1 or given["key_group"] < 1 or given["ops_per_key"] < 1:
        raise BadArguments("--keys, --key-group and --ops-per-key must be >= 1")
    seed = given["seed"]
    if seed is not None and not 0 <= seed < 2**63:
        raise BadArguments(f"--seed {seed}: want 0 <= seed < 2**63")
    base = NemesisOptions(**nemesis_given)
    return RunOptions(
        **{
            **given,
            "cluster": cluster,
            "net": net,
            "nemesis": ",".join(faults) or "none",
            "faults": faults,
            "nemesis_options": nemesis_options(base, given["nemesis_settings"]),
            "concurrency": concurrency,
            "seed": seed if seed is not None else 0,
            "notes": tuple(notes),
        }
    )


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """Every option of ``harness run`` (documented in docs/harness.md), from the fields
    of :class:`RunOptions` and the classes it nests."""
    add_flags(p, RunOptions)
