"""The SSH lab (namespaces running Debian's sshd) and the SSH control layer over it.

Real sshd processes in real namespaces, reached with asyncssh with host keys checked;
``lab down`` must leave no sshd, namespace or file behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harness.lab import LabError, key_file, known_hosts_file, lab_down, lab_up
from harness.netns import find_leftovers
from harness.ssh import SSHError, SSHHost, SSHTarget, read_hosts_file

pytestmark = pytest.mark.netns


def test_hosts_file_errors_name_the_line(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.write_text("# lab\nroot@10.0.0.2:2222\n\nadmin@node-3  # third\n")
    assert read_hosts_file(good) == [
        SSHTarget("root", "10.0.0.2", 2222),
        SSHTarget("admin", "node-3"),
    ]
    for text, message in [
        ("root@a\nnot a host\n", r":2: 'not a host' is not user@host\[:port\]"),
        ("root@a:99999\n", r":1: 'root@a:99999': port 99999 out of range"),
        ("root@a\nroot@a:22\n", r":2: root@a:22 is listed twice"),
        ("# nothing\n", r"no hosts"),
    ]:
        bad = tmp_path / "bad"
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            read_hosts_file(bad)


def test_lab_up_ssh_control_and_down(tmp_path: Path) -> None:
    hosts_file = tmp_path / "hosts"
    lab = lab_up(2, hosts_file)
    try:
        targets = read_hosts_file(hosts_file)
        assert [str(t) for t in targets] == [h.target for h in lab.hosts]
        asyncio.run(_drive(lab.hosts[0].netns, targets, hosts_file, tmp_path))
        with pytest.raises(LabError, match="a lab is up there"):
            lab_up(1, hosts_file)
    finally:
        removed = lab_down(hosts_file)
    assert sum(r.startswith("sshd ") for r in removed) == 2
    assert find_leftovers(lab.prefix).empty
    for host in lab.hosts:
        assert (
            not Path(f"/proc/{host.sshd_pid}/cmdline").exists()
            or b"sshd_config" not in Path(f"/proc/{host.sshd_pid}/cmdline").read_bytes()
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["local.txt"]


async def _drive(first_netns: str, targets: list[SSHTarget], hosts_file: Path, tmp: Path) -> None:
    key, known = key_file(hosts_file), known_hosts_file(hosts_file)
    hosts = [await SSHHost.connect(t, key=key, known_hosts=known) for t in targets]
    try:
        # Each host is its own namespace: the command runs inside it.
        where = await hosts[0].run(["ip", "netns", "identify"])
        assert where.stdout.strip() == first_netns
        # Files both ways.
        (tmp / "local.txt").write_text("uploaded by the harness\n")
        await hosts[1].upload(tmp / "local.txt", "/tmp/splitbrain-lab-test.txt")
        await hosts[1].download("/tmp/splitbrain-lab-test.txt", tmp / "back.txt")
        assert (tmp / "back.txt").read_text() == "uploaded by the harness\n"
        (tmp / "back.txt").unlink()
        await hosts[1].run(["rm", "/tmp/splitbrain-lab-test.txt"])
        # A background process outlives the command that started it; killed by pid.
        pid = await hosts[0].start(["sleep", "600"], "/dev/null")
        assert await hosts[0].alive(pid)
        assert await hosts[0].signal(pid, "KILL")
        for _ in range(100):
            if not await hosts[0].alive(pid):
                break
            await asyncio.sleep(0.05)
        assert not await hosts[0].alive(pid)
        failed = await hosts[0].run(["false"], check=False)
        assert failed.status == 1
        with pytest.raises(SSHError, match=r"root@.*: false: exit 1"):
            await hosts[0].run(["false"])
    finally:
        for h in hosts:
            await h.close()
    # Host keys are checked: an empty known_hosts refuses, --ssh-insecure does not.
    empty = tmp / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(SSHError, match="host key not verifiable"):
        await SSHHost.connect(targets[0], key=key, known_hosts=empty)
    empty.unlink()
    insecure = await SSHHost.connect(targets[0], key=key, insecure=True)
    await insecure.close()
