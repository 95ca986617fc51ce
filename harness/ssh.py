"""Control of remote hosts over SSH (Jepsen's ``control``), through asyncssh.

A hosts file (``--ssh-hosts FILE``) has one ``user@host[:port]`` per line; ``#`` starts a
comment. :func:`read_hosts_file` reads it and names the line of anything malformed.

:class:`SSHHost` is one connection: :meth:`run` a command (argv quoted for the remote
shell), :meth:`upload` / :meth:`download` files over SFTP, :meth:`start` a background
process in its own session and get its pid, :meth:`signal` a pid. Host keys are checked
against ``known_hosts`` (the user's ``~/.ssh/known_hosts`` by default) unless the caller
asks for ``insecure``; the client key comes from ``key`` or the SSH agent.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncssh

_TARGET = re.compile(
    r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\])(?::(?P<port>\d{1,5}))?$"
)
DEFAULT_PORT = 22


class SSHError(RuntimeError):
    """A host could not be reached, refused us, or a command failed (said in one line,
    naming the host)."""


@dataclass(frozen=True, slots=True)
class SSHTarget:
    user: str
    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> SSHTarget:
        """``user@host[:port]``; raises ``ValueError`` saying what is wrong."""
        m = _TARGET.match(text.strip())
        if m is None:
            raise ValueError(f"{text.strip()!r} is not user@host[:port]")
        port = int(m["port"]) if m["port"] else DEFAULT_PORT
        if not 0 < port < 65536:
            raise ValueError(f"{text.strip()!r}: port {port} out of range")
        return cls(m["user"], m["host"].strip("[]"), port)


def read_hosts_file(path: Path) -> list[SSHTarget]:
    """The targets of a hosts file; ``ValueError`` naming ``path:line`` if one is bad,
    the file is empty, or a host is listed twice."""
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror}") from e
    targets: list[SSHTarget] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            target = SSHTarget.parse(text)
        except ValueError as e:
            raise ValueError(f"{path}:{number}: {e}") from None
        if target in targets:
            raise ValueError(f"{path}:{number}: {target} is listed twice")
        targets.append(target)
    if not targets:
        raise ValueError(f"{path}: no hosts (one user@host[:port] per line)")
    return targets


@dataclass(frozen=True, slots=True)
class Completed:
    argv: tuple[str, ...]
    status: int
    stdout: str
    stderr: str


class SSHHost:
    """One open connection to a target."""

    def __init__(self, target: SSHTarget, connection: asyncssh.SSHClientConnection) -> None:
        self.target = target
        self._conn = connection

    @classmethod
    async def connect(
        cls,
        target: SSHTarget,
        *,
        key: Path | None = None,
        known_hosts: Path | None = None,
        insecure: bool = False,
        timeout_s: float = 15.0,
    ) -> SSHHost:
        """Connect and authenticate, or raise :class:`SSHError` naming the target."""
        options: dict[str, object] = {
            "username": target.user,
            "port": target.port,
            "connect_timeout": timeout_s,
            "known_hosts": None if insecure else (str(known_hosts) if known_hosts else ()),
        }
        if not insecure and known_hosts is None:
            del options["known_hosts"]  # asyncssh's default: ~/.ssh/known_hosts
        if key is not None:
            options["client_keys"] = [str(key)]
        try:
            conn = await asyncssh.connect(target.host, **options)
        except asyncssh.HostKeyNotVerifiable as e:
            raise SSHError(
                f"{target}: host key not verifiable ({e.reason}): add it to known_hosts, "
                "or pass --ssh-insecure"
            ) from e
        except asyncssh.PermissionDenied as e:
            raise SSHError(f"{target}: permission denied ({e.reason}); check --ssh-key") from e
        except (OSError, asyncssh.Error, TimeoutError) as e:
            raise SSHError(f"{target}: cannot connect: {e}") from e
        return cls(target, conn)

    async def close(self) -> None:
        self._conn.close()
        await self._conn.wait_closed()

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout_s: float = 60.0,
        stdin: str | None = None,
    ) -> Completed:
        """Run ``argv`` on the host (``stdin`` its input); :class:`SSHError` on a non-zero
        exit when ``check``."""
        command = shlex.join(argv)
        try:
            done = await self._conn.run(command, check=False, timeout=timeout_s, input=stdin)
        except (OSError, asyncssh.Error, TimeoutError) as e:
            raise SSHError(f"{self.target}: {command}: {e}") from e
        result = Completed(
            tuple(argv),
            done.exit_status if done.exit_status is not None else -1,
            _text(done.stdout),
            _text(done.stderr),
        )
        if check and result.status != 0:
            why = result.stderr.strip().splitlines()[-1:] or [f"exit {result.status}"]
            raise SSHError(f"{self.target}: {command}: {why[0]}")
        return result

    async def upload(self, local: Path, remote: str) -> None:
        try:
            async with self._conn.start_sftp_client() as sftp:
                await sftp.put(str(local), remote, preserve=True)
        except (OSError, asyncssh.Error) as e:
            raise SSHError(f"{self.target}: upload {local} -> {remote}: {e}") from e

    async def download(self, remote: str, local: Path) -> None:
        try:
            async with self._conn.start_sftp_client() as sftp:
                await sftp.get(remote, str(local))
        except (OSError, asyncssh.Error) as e:
            raise SSHError(f"{self.target}: download {remote} -> {local}: {e}") from e

    async def start(self, argv: Sequence[str], log: str, *, cwd: str | None = None) -> int:
        """Start ``argv`` in the background in a session of its own (so it outlives this
        connection), in ``cwd`` (default: the login folder), its output appended to the
        remote file ``log``; its pid."""
        where = f"cd {shlex.quote(cwd)} && " if cwd is not None else ""
        script = f"{where}setsid {shlex.join(argv)} >>{shlex.quote(log)} 2>&1 </dev/null & echo $!"
        done = await self.run(["sh", "-c", script])
        pid = done.stdout.strip()
        if not pid.isdigit():
            raise SSHError(f"{self.target}: start {argv[0]}: no pid ({done.stdout!r})")
        return int(pid)

    async def signal(self, pid: int, signal_name: str) -> bool:
        """Send ``SIG<signal_name>`` to ``pid``; False if no such process."""
        done = await self.run(["kill", f"-{signal_name}", str(pid)], check=False)
        return done.status == 0

    async def alive(self, pid: int) -> bool:
        return (await self.run(["kill", "-0", str(pid)], check=False)).status == 0


def _text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data if isinstance(data, str) else ""
