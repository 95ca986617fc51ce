"""`harness run --ssh-hosts` end to end on a lab of three sshd hosts (namespaces on this
machine, reached only over SSH), and `harness cleanup --ssh-hosts` after a SIGKILLed run.

A logging ``ip`` in front of the real one on the harness's PATH proves that nothing of the
run is started with ``ip netns exec``: nodes, nft and probes all go through SSH.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.dbs.cluster_spec import ClusterSpec
from harness.dbs.ssh_cluster import ROOT_PREFIX, SSHAccess, SSHClusterDB
from harness.lab import Lab, key_file, known_hosts_file, lab_down, lab_up
from harness.leftovers import processes_in
from harness.netns import find_leftovers
from harness.options import netns_available
from harness.ssh import read_hosts_file
from tests.harness.test_run import ROOT, latest, partition_started, prefix_of
from tests.support.servers import wait_until

pytestmark = [
    pytest.mark.netns,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.skipif(not netns_available(), reason="needs root for namespaces"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    hosts_file = tmp_path_factory.mktemp("lab") / "hosts"
    made = lab_up(3, hosts_file)
    try:
        yield made
    finally:
        lab_down(hosts_file)
        assert find_leftovers(made.prefix).empty


def ssh_args(lab: Lab) -> list[str]:
    hosts = Path(lab.hosts_file)
    return [
        "--ssh-hosts", str(hosts), "--ssh-key", str(key_file(hosts)),
        "--ssh-known-hosts", str(known_hosts_file(hosts)),
    ]  # fmt: skip


def logging_ip(folder: Path) -> tuple[dict[str, str], Path]:
    """An environment whose ``ip`` logs every ``ip netns exec`` and runs the real one."""
    real = shutil.which("ip")
    assert real is not None
    log = folder / "ip-netns-exec.log"
    shim = folder / "bin" / "ip"
    shim.parent.mkdir(parents=True)
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = netns ] && [ "$2" = exec ]; then echo "$*" >> {log}; fi\n'
        f'exec {real} "$@"\n'
    )
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}, log


def harness_in(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def on_lab(lab: Lab, *argv: str) -> list[str]:
    """``argv``'s output in each lab host's namespace (the test's own look, not the run's)."""
    return [
        subprocess.run(
            ["ip", "netns", "exec", h.netns, *argv], capture_output=True, text=True, check=False
        ).stdout
        for h in lab.hosts
    ]


def assert_lab_clean(lab: Lab, prefix: str) -> None:
    tables = [t for out in on_lab(lab, "nft", "list", "tables") for t in out.split()]
    assert not [t for t in tables if t.startswith(prefix)], tables
    # The lab's hosts share this machine's processes: look for their working folders.
    left = processes_in(Path(ROOT_PREFIX + prefix))
    assert left == {}, f"node processes left: {left}"
    assert not Path(ROOT_PREFIX + prefix).exists()


def test_set_workload_over_ssh_finds_lost_writes(lab: Lab, tmp_path: Path, seed: int) -> None:
    env, ip_log = logging_ip(tmp_path)
    for attempt in range(2):  # a partition may (rarely) miss the primaries with writes
        store = tmp_path / f"store{attempt}"
        done = harness_in(
            env, "run", *ssh_args(lab), "--db", "redis", "--nodes", "6", "--workload", "set",
            "--nemesis", "partition-minority", "--nemesis-interval", "5", "--time-limit", "14",
            "--recovery-time", "3", "--store", str(store), "--seed", str(seed + attempt),
            timeout=240,
        )  # fmt: skip
        run_dir = latest(store)
        assert not ip_log.exists(), ip_log.read_text()
        assert_lab_clean(lab, prefix_of(run_dir))
        test = json.loads((run_dir / "test.json").read_text())
        assert {h["host"] for h in test["hosts"]} == {h.ip for h in lab.hosts}
        assert all(h["netns"] is None for h in test["hosts"])
        assert test["teardown_errors"] == []
        for name in ("n1", "n6"):
            assert (
                "Ready to accept connections" in (run_dir / "nodes" / name / "node.log").read_text()
            )
            assert "myself" in (run_dir / "nodes" / name / "nodes.conf").read_text()
        results = json.loads((run_dir / "results.json").read_text())
        history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
        cuts = [
            op
            for op in history
            if op["process"] == "nemesis" and op["f"] == "start-partition" and op["type"] == "ok"
        ]
        assert cuts and all(len(op["hosts"]) == 3 for op in cuts), cuts
        if done.returncode == 1:
            assert results["lost_writes"]["lost_count"] > 0
            assert results["lost_writes"]["unexpected_count"] == 0
            return
        assert done.returncode == 0, done.stderr[-3000:]
    pytest.fail("two partition-minority runs over SSH lost no acknowledged write")


def test_cleanup_after_a_killed_ssh_run(lab: Lab, tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = dict(os.environ)
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "harness.cli", "run", *ssh_args(lab), "--db", "redis",
            "--nodes", "3", "--replicas", "0", "--nemesis", "partition-one",
            "--nemesis-interval", "60", "--nemesis-option", "first_fault_s=0.5",
            "--time-limit", "60", "--rate", "200", "--store", str(store),
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until((store / "latest" / "history.jsonl").exists, 90, "the run")
        run_dir = latest(store)
        wait_until(
            lambda: partition_started(run_dir / "history.jsonl"), 60, "the partition", interval=0.1
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        prefix = prefix_of(run_dir)
        with pytest.raises(AssertionError):
            assert_lab_clean(lab, prefix)  # nodes, tables and folders are still there
        done = harness_in(
            env, "cleanup", *ssh_args(lab), "--prefix", prefix, "--store", str(store), timeout=120
        )
        assert done.returncode == 0, done.stderr
        # The lab's hosts share this machine's processes: each may see all three nodes.
        killed = {w.split()[0] for w in done.stdout.split(": process ")[1:]}
        assert len(killed) == 3, done.stdout
        assert f"nft table inet {prefix}" in done.stdout, done.stdout
        assert f"folder {ROOT_PREFIX}{prefix}" in done.stdout, done.stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_lab_clean(lab, prefix)
    again = harness_in(
        env, "cleanup", *ssh_args(lab), "--prefix", prefix, "--store", str(store), timeout=120
    )
    assert again.returncode == 0 and ": process " not in again.stdout, again.stdout


def test_external_cluster_on_ssh_hosts_takes_partitions_and_pauses(
    lab: Lab, tmp_path: Path, seed: int
) -> None:
    """A cluster already running on the lab hosts (started here, over SSH, as a user's
    would be): `--db external --ssh-hosts` cuts and pauses it, then leaves it running."""
    hosts = Path(lab.hosts_file)
    access = SSHAccess(tuple(read_hosts_file(hosts)), key_file(hosts), known_hosts_file(hosts))
    spec = ClusterSpec(db="redis", nodes=6, replicas=1, appendonly=False, ready_timeout_s=60)
    users = SSHClusterDB(spec, access, tmp_path / "users", lambda _: None, "sbusers1")

    loop = asyncio.new_event_loop()  # the SSH connections belong to one loop
    loop.run_until_complete(users.setup())
    try:
        assert users_cli(users, "SET", FOREIGN_KEY, FOREIGN_VALUE) == "OK"
        store = tmp_path / "store"
        seed_node = users.hosts[0].address
        done = harness_in(
            dict(os.environ), "run", "--db", "external", "--seed-node", seed_node,
            *ssh_args(lab), "--workload", "set", "--nemesis", "partition-minority,pause-one",
            "--nemesis-interval", "3", "--time-limit", "12", "--recovery-time", "4",
            "--rate", "300", "--store", str(store), "--seed", str(seed), timeout=200,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr[-3000:]
        run_dir = latest(store)
        test = json.loads((run_dir / "test.json").read_text())
        assert test["teardown_errors"] == []
        assert {h["host"] for h in test["hosts"]} == {h.ip for h in lab.hosts}
        history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
        ok = [op for op in history if op["process"] == "nemesis" and op["type"] == "ok"]
        assert any(op["f"] == "start-partition" and len(op["hosts"]) == 3 for op in ok), ok
        paused = [op for op in ok if op["f"] == "start-pause"]
        assert paused and all(len(op["value"]) == 2 for op in paused), paused
        assert_lab_clean(lab, prefix_of(run_dir))  # no table of the run left
        # The user's cluster runs on, healthy, with its data.
        loop.run_until_complete(users.await_healthy(30))
        assert users_cli(users, "GET", FOREIGN_KEY) == FOREIGN_VALUE
    finally:
        loop.run_until_complete(users.teardown())
        loop.close()
    assert processes_in(Path(ROOT_PREFIX + "sbusers1")) == {}


FOREIGN_KEY = "user:profile:1"
FOREIGN_VALUE = "alice"


def users_cli(db: SSHClusterDB, *args: str) -> str:
    host = db.hosts[0]
    done = subprocess.run(
        ["redis-cli", "-c", "-h", host.ip, "-p", str(host.port), *args],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_our_server_uploaded_to_ssh_hosts_survives_kills(
    lab: Lab, tmp_path: Path, seed: int
) -> None:
    """`--db splitbrain` over SSH: our package is uploaded and run by the hosts' Python
    (here the project's, which has hiredis and lupa), killed and restarted by pid."""
    store = tmp_path / "store"
    done = harness_in(
        dict(os.environ), "run", *ssh_args(lab), "--ssh-python", sys.executable,
        "--db", "splitbrain", "--nodes", "6", "--workload", "register",
        "--nemesis", "kill-one", "--nemesis-interval", "3", "--time-limit", "8",
        "--recovery-time", "3", "--rate", "300", "--store", str(store), "--seed", str(seed),
        timeout=200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    run_dir = latest(store)
    test = json.loads((run_dir / "test.json").read_text())
    assert test["teardown_errors"] == []
    history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
    kills = [
        op
        for op in history
        if op["process"] == "nemesis" and op["f"] == "start-kill" and op["type"] == "ok"
    ]
    assert kills and all(len(op["value"]) == 2 and len(op["hosts"]) == 1 for op in kills)
    restarted = {n for op in kills for n in op["value"]}
    for name in restarted:  # the log of a node killed and started again shows both starts
        stdout = (run_dir / "nodes" / name / "node.log").read_text()
        assert stdout.count("Ready to accept connections") >= 2, name
    assert_lab_clean(lab, prefix_of(run_dir))


def test_a_host_that_does_not_answer_is_reported(lab: Lab, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    unused = lab.hosts[-1].ip.rsplit(".", 1)[0] + ".250"  # in the lab's subnet, no host
    hosts.write_text(Path(lab.hosts_file).read_text() + f"root@{unused}:22\n")
    store = tmp_path / "store"
    args = ssh_args(lab)
    args[1] = str(hosts)
    done = harness_in(
        dict(os.environ), "run", *args, "--db", "redis", "--nodes", "6", "--nemesis", "none",
        "--time-limit", "2", "--store", str(store), timeout=120,
    )  # fmt: skip
    assert done.returncode == 255, done.stderr[-2000:]
    test = json.loads((latest(store) / "test.json").read_text())
    assert f"root@{unused}:22: cannot connect" in test["error"], test["error"]
    assert_lab_clean(lab, prefix_of(latest(store)))


def test_sigint_heals_the_hosts_and_stops_the_nodes(lab: Lab, tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "harness.cli", "run", *ssh_args(lab), "--db", "redis",
            "--nodes", "3", "--replicas", "0", "--nemesis", "partition-one",
            "--nemesis-interval", "60", "--nemesis-option", "first_fault_s=0.5",
            "--time-limit", "60", "--rate", "200", "--store", str(store),
        ],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until((store / "latest" / "history.jsonl").exists, 90, "the run")
        run_dir = latest(store)
        wait_until(
            lambda: partition_started(run_dir / "history.jsonl"), 60, "the partition", interval=0.1
        )
        proc.send_signal(signal.SIGINT)
        proc.wait(90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 1, 2)
    test = json.loads((run_dir / "test.json").read_text())
    assert test["interrupted"] is True and test["teardown_errors"] == []
    history = [json.loads(line) for line in (run_dir / "history.jsonl").open()]
    heals = [op for op in history if op["process"] == "nemesis" and op["f"] == "stop-partition"]
    assert heals and heals[-1]["type"] == "ok", heals
    assert json.loads((run_dir / "state.json").read_text())["finished"] is True
    assert_lab_clean(lab, prefix_of(run_dir))
