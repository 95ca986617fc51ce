"""ACL LOAD / ACL SAVE with ``aclfile`` beside redis-server: the same replies, the same
saved file, the same errors for a bad file, and the start-up refusal of users declared
both in the config and in an ACL file."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.nodes.differential.framing import ReplyReader
from tests.nodes.differential.runner import cmd
from tests.support.servers import ServerProcess, free_port, redis_server, splitbrain_server

INITIAL = b"user alice on >apw ~a* +@all\nuser default on nopass ~* &* +@all\n"
BAD = b"user carl on foo\nfoo\nuser a b\nuser carl +nosuch\n"
REPLACEMENT = b"user dan on nopass +@all ~*\n"


def _session(server: ServerProcess, aclfile: Path) -> list[bytes]:
    """The replies (and saved file) of one fixed sequence, with the file's path shown as
    ``ACLFILE``."""
    out: list[bytes] = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        reader = ReplyReader(sock)

        def call(*args: str) -> None:
            sock.sendall(cmd(*args).request())
            out.append(reader.read().raw.replace(str(aclfile).encode(), b"ACLFILE"))

        call("ACL", "LIST")
        call("ACL", "SETUSER", "bob", "on", ">x", "+get", "~b*")
        call("ACL", "SAVE")
        out.append(aclfile.read_bytes())
        aclfile.write_bytes(BAD)
        call("ACL", "LOAD")
        call("ACL", "LIST")
        aclfile.write_bytes(REPLACEMENT)
        call("ACL", "LOAD")
        call("ACL", "LIST")
        call("ACL", "USERS")
    return out


def test_load_and_save_like_redis(tmp_path: Path) -> None:
    sessions = []
    for name, make in (("redis", redis_server), ("ours", splitbrain_server)):
        workdir = tmp_path / name
        workdir.mkdir()
        aclfile = workdir / "users.acl"
        aclfile.write_bytes(INITIAL)
        server = make(workdir, args=("--aclfile", str(aclfile))).start()
        try:
            sessions.append(_session(server, aclfile))
        finally:
            server.stop()
    theirs, ours = sessions
    assert ours == theirs


def test_users_in_config_and_aclfile_refuse_to_start(tmp_path: Path) -> None:
    aclfile = tmp_path / "users.acl"
    aclfile.write_bytes(INITIAL)
    argv = [sys.executable, "-m", "nodes", "--port", str(free_port()), "--save", ""]
    argv += ["--dir", str(tmp_path), "--aclfile", str(aclfile), "--user", "x", "on"]
    done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    assert done.returncode == 1
    assert b"users defined in redis.conf and at the same setting an ACL file" in done.stderr
