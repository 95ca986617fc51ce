"""A lab of SSH hosts on this machine: network namespaces each running Debian's sshd.

``harness lab up --hosts 3 --hosts-file FILE`` stands in for real machines when testing the
harness's SSH control (Jepsen's model: a control node that reaches every host over SSH).
Each host is a namespace on a bridge of its own (:mod:`harness.netns`, prefix ``lab`` plus
an id, so a run's ``harness cleanup`` never touches a lab), with an sshd listening on port
22 of the host's address, a generated ed25519 host key, and root login by one generated
client key. Written beside FILE:

- ``FILE``: one ``root@ADDRESS:22`` line per host (the ``--ssh-hosts`` format);
- ``FILE.key`` (and ``.key.pub``): the client key;
- ``FILE.known_hosts``: every host's key, so host keys can be checked;
- ``FILE.lab/``: configs, host keys, logs, pid files, and ``lab.json`` (what ``down``
  removes: the network prefix, the hosts, the sshd pids).

``harness lab down --hosts-file FILE`` stops each sshd by its pid (after checking the pid is
still that sshd), removes the namespaces and bridge by the lab's prefix, and the files.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.netns import HostNetwork, NetworkError, create_in_pool, destroy_leftovers

SSHD = Path("/usr/sbin/sshd")
SSH_KEYGEN = "ssh-keygen"
PRIVSEP_DIR = Path("/run/sshd")
"""sshd refuses to start without its privilege-separation folder (Debian's service makes
it at boot)."""
LAB_POOL = "10.78.0.0/16"
SSH_PORT = 22
USER = "root"


class LabError(RuntimeError):
    """The lab could not be made or removed (the message says which step)."""


@dataclass(frozen=True, slots=True)
class LabHost:
    name: str
    netns: str
    ip: str
    port: int
    sshd_pid: int

    @property
    def target(self) -> str:
        """``user@host:port``, as in the hosts file."""
        return f"{USER}@{self.ip}:{self.port}"


@dataclass(frozen=True, slots=True)
class Lab:
    prefix: str
    subnet: str
    hosts_file: str
    hosts: tuple[LabHost, ...]

    @property
    def folder(self) -> Path:
        return lab_folder(Path(self.hosts_file))

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "hosts": [asdict(h) for h in self.hosts]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Lab:
        hosts = data["hosts"]
        assert isinstance(hosts, list)
        return cls(
            prefix=str(data["prefix"]),
            subnet=str(data["subnet"]),
            hosts_file=str(data["hosts_file"]),
            hosts=tuple(LabHost(**h) for h in hosts),
        )


def lab_folder(hosts_file: Path) -> Path:
    return hosts_file.with_name(hosts_file.name + ".lab")


def key_file(hosts_file: Path) -> Path:
    return hosts_file.with_name(hosts_file.name + ".key")


def known_hosts_file(hosts_file: Path) -> Path:
    return hosts_file.with_name(hosts_file.name + ".known_hosts")


def lab_up(count: int, hosts_file: Path, timeout_s: float = 15.0) -> Lab:
    """Create ``count`` SSH hosts and write the hosts file; on failure remove what was
    made and raise :class:`LabError`."""
    if count < 1:
        raise LabError("--hosts must be at least 1")
    if not SSHD.exists():
        raise LabError(f"{SSHD} missing: run make setup (Debian package openssh-server)")
    hosts_file = hosts_file.resolve()
    folder = lab_folder(hosts_file)
    if folder.exists():
        raise LabError(f"{folder} exists: a lab is up there (harness lab down --hosts-file)")
    folder.mkdir(parents=True)
    prefix = "lab" + secrets.token_hex(3)
    names = [f"h{i}" for i in range(1, count + 1)]
    network: HostNetwork | None = None
    hosts: list[LabHost] = []
    try:
        _keygen(key_file(hosts_file), "splitbrain lab client")
        (folder / "authorized_keys").write_text(
            key_file(hosts_file).with_suffix(".key.pub").read_text()
        )
        network = create_in_pool(prefix, names, LAB_POOL)
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        known: list[str] = []
        for address in network.addresses:
            host_dir = folder / address.name
            host_dir.mkdir()
            host_key = host_dir / "ssh_host_ed25519_key"
            _keygen(host_key, f"lab host {address.name}")
            config = host_dir / "sshd_config"
            config.write_text(_sshd_config(address.ip, host_dir, folder / "authorized_keys"))
            pid = _start_sshd(network, address.name, config, host_dir, timeout_s)
            hosts.append(LabHost(address.name, address.netns, address.ip, SSH_PORT, pid))
            public = host_key.with_suffix(".pub").read_text().split()
            known.append(f"{address.ip} {public[0]} {public[1]}\n")
        known_hosts_file(hosts_file).write_text("".join(known))
        lab = Lab(prefix, str(network.subnet), str(hosts_file), tuple(hosts))
        (folder / "lab.json").write_text(json.dumps(lab.to_json(), indent=1))
        hosts_file.write_text("".join(h.target + "\n" for h in hosts))
        return lab
    except (OSError, NetworkError, subprocess.CalledProcessError, LabError) as e:
        for host in hosts:
            _stop_sshd(host, folder)
        if network is not None:
            network.destroy()
        _remove_files(hosts_file)
        raise LabError(f"lab up: {e}") from e


def lab_down(hosts_file: Path) -> list[str]:
    """Remove the lab whose hosts file is ``hosts_file``; what was removed."""
    hosts_file = hosts_file.resolve()
    state = lab_folder(hosts_file) / "lab.json"
    if not state.exists():
        raise LabError(f"no lab at {hosts_file} ({state} missing)")
    try:
        lab = Lab.from_json(json.loads(state.read_text()))
    except (ValueError, KeyError, TypeError, AssertionError) as e:
        raise LabError(f"{state}: not a lab description ({e})") from e
    removed = [f"sshd {h.sshd_pid} on {h.name}" for h in lab.hosts if _stop_sshd(h, lab.folder)]
    removed += destroy_leftovers(lab.prefix)
    _remove_files(hosts_file)
    return removed


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
    )


def _sshd_config(ip: str, host_dir: Path, authorized_keys: Path) -> str:
    return "\n".join(
        [
            f"Port {SSH_PORT}",
            f"ListenAddress {ip}",
            f"HostKey {host_dir / 'ssh_host_ed25519_key'}",
            f"PidFile {host_dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized_keys}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PrintMotd no",
            "Subsystem sftp internal-sftp",
            "",
        ]
    )


def _start_sshd(
    network: HostNetwork, name: str, config: Path, host_dir: Path, timeout_s: float
) -> int:
    """Start sshd in host ``name``'s namespace (it daemonizes); its pid once it wrote it."""
    argv = network.exec_argv(name, [str(SSHD), "-f", str(config), "-E", str(host_dir / "sshd.log")])
    subprocess.run(argv, check=True, capture_output=True, timeout=timeout_s)
    pid_file = host_dir / "sshd.pid"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pid_file.exists() and pid_file.read_text().strip().isdigit():
            return int(pid_file.read_text())
        time.sleep(0.02)
    log = (
        (host_dir / "sshd.log").read_text(errors="replace").strip()
        if (host_dir / "sshd.log").exists()
        else ""
    )
    raise LabError(f"sshd on {name} did not start: {log or 'no pid file'}")


def _stop_sshd(host: LabHost, folder: Path) -> bool:
    """SIGTERM ``host``'s sshd if that pid is still the sshd we started (its command line,
    which sshd rewrites into a title, still names our config); True if it was running."""
    config = str(folder / host.name / "sshd_config")
    try:
        cmdline = Path(f"/proc/{host.sshd_pid}/cmdline").read_bytes()
    except OSError:
        return False
    if f"-f {config} ".encode() not in cmdline.replace(b"\0", b" ") + b" ":
        return False
    os.kill(host.sshd_pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{host.sshd_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def _remove_files(hosts_file: Path) -> None:
    folder = lab_folder(hosts_file)
    for path in (hosts_file, key_file(hosts_file), known_hosts_file(hosts_file)):
        path.unlink(missing_ok=True)
    key_file(hosts_file).with_suffix(".key.pub").unlink(missing_ok=True)
    if folder.exists():
        for sub in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            sub.rmdir() if sub.is_dir() else sub.unlink()
        folder.rmdir()
