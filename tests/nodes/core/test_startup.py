"""splitbrain-server starts like redis-server 7.0: the default bind for clients and the
cluster bus, the start-up log lines tools wait for, daemonize + pidfile, a port in use,
redis's utils/create-cluster sequence, and Debian's stock /etc/redis/redis.conf."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes.core.conftest import connect
from tests.support.servers import (
    REDIS_CLI,
    REDIS_SERVER,
    ServerProcess,
    free_port,
    ping,
    wait_until,
)

SERVER = [sys.executable, "-m", "nodes"]
DEBIAN_CONF = Path("/etc/redis/redis.conf")
YES = ("--cluster-yes",)


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port(with_bus=True)
        if port not in ports and all(abs(port - p) != 10000 for p in ports):
            ports.append(port)
    return ports


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_by_pidfile(pidfile: Path, timeout: float = 15.0) -> None:
    """SIGTERM the daemon named by ``pidfile``; wait until it is gone (SIGKILL late)."""
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return
    if not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    try:
        wait_until(lambda: not _alive(pid), timeout, f"daemon {pid} to exit")
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        raise


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines()


def _messages(path: Path) -> list[str]:
    """Log lines without the ``pid:R date time mark`` prefix."""
    out = []
    for line in _lines(path):
        parts = line.split(" ", 6)
        out.append(parts[6] if len(parts) == 7 and ":" in parts[0] else line)
    return out


@pytest.fixture
def cluster_pair(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Two cluster-mode nodes started with NO bind option (redis's ``* -::*``)."""
    servers = []
    for port in _free_ports(2):
        workdir = tmp_path / str(port)
        argv = [*SERVER, "--port", str(port), "--cluster-enabled", "yes", "--dir", str(workdir)]
        servers.append(ServerProcess(argv, port, workdir))
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_default_bind_serves_clients_and_the_cluster_bus(cluster_pair):
    a, b = cluster_pair
    ca, cb = connect(a.port, decode_responses=True), connect(b.port, decode_responses=True)
    assert ca.config_get("bind") == {"bind": "* -::*"}
    assert ca.execute_command("CLUSTER", "MEET", "127.0.0.1", b.port) in (True, "OK")

    def met() -> bool:
        views = [c.execute_command("CLUSTER", "NODES") for c in (ca, cb)]
        return all(v.count("connected") == 2 and "handshake" not in v for v in views)

    wait_until(met, 20, "both nodes to know each other over the bus")
    with socket.create_connection(("127.0.0.1", a.port + 10000), timeout=2):
        pass  # the bus listens on the default bind too
    ca.close()
    cb.close()


def test_start_up_log_lines_like_redis(tmp_path: Path):
    port = free_port()
    logfile = tmp_path / "sb.log"
    argv = [*SERVER, "--port", str(port), "--dir", str(tmp_path), "--logfile", str(logfile)]
    server = ServerProcess(argv, port, tmp_path).start()
    try:
        wait_until(
            lambda: "Ready to accept connections" in logfile.read_text(), 10, "the ready line"
        )
        pid = server.pid
        messages = _messages(logfile)
        expected = [
            "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
            f"Redis version=7.0.15, bits=64, commit=00000000, modified=0, {pid=}, just started",
            "Configuration loaded",
            f"Running mode=standalone, port={port}.",
            "Server initialized",
            "Ready to accept connections",
        ]
        positions = [messages.index(text) for text in expected]
        assert positions == sorted(positions), messages
        first = _lines(logfile)[0]
        assert first.startswith(f"{pid}:C ") and " # " in first
        assert _lines(logfile)[messages.index("Server initialized")].startswith(f"{pid}:M ")
    finally:
        server.stop()


def test_always_show_logo_prints_pid_like_redis(tmp_path: Path):
    """redis's test framework starts servers with ``always-show-logo yes`` and waits for
    `` PID: <pid>`` in their stdout."""
    port = free_port()
    argv = [*SERVER, "--port", str(port), "--dir", str(tmp_path), "--always-show-logo", "yes"]
    server = ServerProcess(argv, port, tmp_path).start()
    try:
        out = server.output()
        assert f" PID: {server.pid}" in out
        assert f"Port: {port}" in out
        assert "Running in standalone mode" in out
        assert "Redis 7.0.15 (00000000/0) 64 bit" in out
        assert "Running mode=" not in out
    finally:
        server.stop()


def test_port_in_use_fails_with_redis_lines(tmp_path: Path):
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")
    port = free_port()
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("0.0.0.0", port))
        taken.listen()
        ours = subprocess.run(
            [*SERVER, "--port", str(port), "--dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        theirs = subprocess.run(
            [REDIS_SERVER, "--port", str(port), "--save", "", "--dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert ours.returncode == theirs.returncode == 1
    wanted = [
        f"Warning: Could not create server TCP listening socket *:{port}: "
        "bind: Address already in use",
        f"Failed listening on port {port} (TCP), aborting.",
    ]
    for text in wanted:
        assert any(line.endswith(text) for line in theirs.stdout.splitlines()), theirs.stdout
        assert any(line.endswith(text) for line in ours.stdout.splitlines()), ours.stdout


def test_daemonize_returns_once_listening_and_writes_the_pidfile(tmp_path: Path):
    port = free_port()
    pidfile, logfile = tmp_path / "sb.pid", tmp_path / "sb.log"
    argv = [*SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    argv += ["--daemonize", "yes", "--pidfile", str(pidfile), "--logfile", str(logfile)]
    try:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout == run.stderr == ""  # the daemon writes to its logfile only
        assert ping(port)  # listening before the parent returned
        pid = int(pidfile.read_text())
        assert pid != os.getpid() and _alive(pid)
        c = connect(port, decode_responses=True)
        assert c.config_get("daemonize") == {"daemonize": "yes"}
        assert c.info("server")["process_id"] == pid
        c.close()
        assert f"pid={pid}, just started" in logfile.read_text()
    finally:
        _stop_by_pidfile(pidfile)
    wait_until(lambda: not pidfile.exists(), 10, "the pidfile to be removed")
    assert "ready to exit" in logfile.read_text()


def test_daemonize_reports_a_failed_start(tmp_path: Path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        argv = [*SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
        argv += ["--daemonize", "yes", "--pidfile", str(tmp_path / "x.pid")]
        argv += ["--logfile", str(tmp_path / "x.log")]
        run = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 1
    assert f"Failed listening on port {port} (TCP), aborting." in (tmp_path / "x.log").read_text()


def test_create_cluster_script_sequence(tmp_path: Path):
    """utils/create-cluster: ``start`` (its exact redis-server options, with the
    script's ADDITIONAL_OPTIONS hook giving each node a pidfile), ``create -f``, then
    ``stop`` (``shutdown nosave``); leftovers are stopped by pidfile."""
    if REDIS_CLI is None:
        pytest.fail("redis-cli missing: run make setup")
    ports = _free_ports(6)
    pidfiles = [tmp_path / f"{port}.pid" for port in ports]
    try:
        for port, pidfile in zip(ports, pidfiles, strict=True):
            argv = [*SERVER, "--port", str(port), "--protected-mode", "yes"]
            argv += ["--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"]
            argv += ["--cluster-node-timeout", "2000", "--appendonly", "yes"]
            argv += ["--appendfilename", f"appendonly-{port}.aof"]
            argv += ["--appenddirname", f"appendonlydir-{port}", "--dbfilename"]
            argv += [f"dump-{port}.rdb", "--logfile", f"{port}.log", "--daemonize", "yes"]
            argv += ["--pidfile", str(pidfile)]
            run = subprocess.run(
                argv, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
            )
            assert run.returncode == 0, (tmp_path / f"{port}.log").read_text()
        hosts = [f"127.0.0.1:{port}" for port in ports]
        create = subprocess.run(
            [REDIS_CLI, "--cluster", "create", *hosts, "--cluster-replicas", "1", *YES],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert create.returncode == 0, create.stdout + create.stderr
        assert "[OK] All 16384 slots covered." in create.stdout

        def all_ok() -> bool:
            for port in ports:
                info = subprocess.run(
                    [REDIS_CLI, "-p", str(port), "cluster", "info"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout
                if "cluster_state:ok" not in info or "cluster_known_nodes:6" not in info:
                    return False
            return True

        wait_until(all_ok, 30, "cluster_state:ok and six known nodes everywhere")
        for port in ports:
            stop = subprocess.run(
                [REDIS_CLI, "-p", str(port), "shutdown", "nosave"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert "error" not in stop.stdout.lower()
        for pidfile in pidfiles:
            wait_until(lambda p=pidfile: not p.exists(), 20, f"{pidfile.name} to be removed")
        assert all((tmp_path / f"nodes-{port}.conf").exists() for port in ports)
    finally:
        for pidfile in pidfiles:
            _stop_by_pidfile(pidfile)


def test_debian_stock_redis_conf(tmp_path: Path):
    """A copy of the redis-server package's /etc/redis/redis.conf (it daemonizes, binds
    127.0.0.1 -::1) with only port, dir, pidfile and logfile overridden."""
    if not DEBIAN_CONF.exists():
        pytest.fail(f"{DEBIAN_CONF} missing: the redis-server package installs it")
    conf = tmp_path / "redis.conf"
    shutil.copyfile(DEBIAN_CONF, conf)
    port = free_port()
    pidfile, logfile = tmp_path / "redis.pid", tmp_path / "redis.log"
    argv = [*SERVER, str(conf), "--port", str(port), "--dir", str(tmp_path)]
    argv += ["--pidfile", str(pidfile), "--logfile", str(logfile)]
    try:
        run = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stdout + run.stderr + logfile.read_text()
        c = connect(port, decode_responses=True)
        assert c.ping() is True
        got = c.config_get("*")
        assert got["bind"] == "127.0.0.1 -::1"
        assert got["daemonize"] == "yes"
        assert got["dir"] == str(tmp_path.resolve())
        assert got["auto-aof-rewrite-min-size"] == str(64 * 1024 * 1024)
        assert got["client-output-buffer-limit"] == (
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        )
        assert got["save"] == "3600 1 300 100 60 10000"
        assert c.config_rewrite() in (True, "OK")
        c.close()
        assert f"port {port}" in conf.read_text()
    finally:
        _stop_by_pidfile(pidfile)


def test_unixsocket_serves_and_is_removed_at_exit(tmp_path: Path):
    import redis  # noqa: PLC0415 (only this test talks over a Unix socket)

    port = free_port()
    path = tmp_path / "sb.sock"
    argv = [*SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    argv += ["--unixsocket", str(path), "--unixsocketperm", "700"]
    server = ServerProcess(argv, port, tmp_path).start()
    try:
        wait_until(path.exists, 10, "the Unix socket")
        assert path.stat().st_mode & 0o777 == 0o700
        c = redis.Redis(unix_socket_path=str(path), decode_responses=True)
        assert c.ping() is True
        assert c.config_get("unixsocketperm") == {"unixsocketperm": "700"}
        c.close()
        assert "The server is now ready to accept connections at " in server.output()
    finally:
        server.stop()
    assert not path.exists()


def test_config_set_port_and_bind_listen_anew(tmp_path: Path):
    port, other = _free_ports(2)
    argv = [*SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    server = ServerProcess(argv, port, tmp_path).start()
    try:
        c = connect(port, decode_responses=True)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", other))
            taken.listen()
            with pytest.raises(Exception, match="Unable to listen on this port"):
                c.config_set("port", str(other))
        assert c.config_get("port") == {"port": str(port)}
        assert ping(port)
        assert c.config_set("port", str(other)) is True
        wait_until(lambda: ping(other), 10, "the new port")
        assert not ping(port)
        moved = connect(other, decode_responses=True)
        assert moved.config_set("bind", "127.0.0.1 -::1") is True
        wait_until(lambda: ping(other), 10, "the port after CONFIG SET bind")
        assert moved.config_get("bind") == {"bind": "127.0.0.1 -::1"}
        moved.close()
        c.close()
    finally:
        server.stop()
