"""Command line and config file like redis-server; CONFIG GET/SET/REWRITE; clean exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from nodes.config import parse_command_line
from nodes.errors import ConfigError
from tests.nodes.core.conftest import connect
from tests.support.servers import free_port, splitbrain_server, wait_until


def test_file_then_arguments_with_aliases_and_units(tmp_path):
    conf = tmp_path / "node.conf"
    conf.write_text(
        '# comment\nport 7000\nsave ""\ncluster-slave-validity-factor 5\nproto-max-bulk-len 2mb\n'
    )
    config = parse_command_line(
        [
            str(conf),
            "--port",
            "7001",
            "--appendfsync",
            "always",
            "--client-output-buffer-limit",
            "normal",
            "1mb",
            "0",
            "0",
        ]
    )
    assert config.get_int("port") == 7001
    assert config.get_str("save") == ""
    assert config.get_int("cluster-replica-validity-factor") == 5
    assert config.get_int("proto-max-bulk-len") == 2 * 1024 * 1024
    assert config.output_limit("normal") == (1024 * 1024, 0, 0)
    assert config.config_file == conf.resolve()


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--no-such-option", "1"], "'no-such-option'"),
        (["--port", "abc"], "'port'"),
        (["--appendfsync", "sometimes"], "'appendfsync'"),
        (["--cluster-enabled", "maybe"], "'cluster-enabled'"),
        (["--port"], "'port'"),
    ],
)
def test_bad_options_name_the_option(argv, named):
    with pytest.raises(ConfigError, match=named):
        parse_command_line(argv)


def test_every_cluster_option_of_the_docs_is_accepted():
    parse_command_line(
        [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "n.conf",
            "--cluster-node-timeout",
            "2000",
            "--cluster-replica-validity-factor",
            "10",
            "--cluster-migration-barrier",
            "1",
            "--cluster-require-full-coverage",
            "yes",
            "--cluster-allow-reads-when-down",
            "no",
            "--cluster-allow-replica-migration",
            "yes",
            "--cluster-replica-no-failover",
            "no",
            "--cluster-port",
            "0",
            "--cluster-announce-ip",
            "10.0.0.1",
            "--cluster-announce-port",
            "7000",
            "--cluster-announce-bus-port",
            "17000",
            "--cluster-announce-hostname",
            "n1",
            "--min-replicas-to-write",
            "0",
            "--min-replicas-max-lag",
            "10",
            "--repl-ping-replica-period",
            "10",
            "--daemonize",
            "no",
            "--protected-mode",
            "no",
        ]
    )


def test_unknown_option_exits_1_with_one_line(tmp_path):
    run = subprocess.run(  # noqa: PLW1510 (the exit status is asserted)
        [sys.executable, "-m", "nodes", "--bogus", "x"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'bogus'" in lines[0]


def test_config_get_set_rewrite(tmp_path):
    conf = tmp_path / "node.conf"
    conf.write_text("# keep me\nappendfsync everysec\n")
    port = free_port()
    proc = splitbrain_server(tmp_path, port)
    proc.argv.insert(3, str(conf))  # python -m nodes <config file> --port ...
    proc.start()
    try:
        c = connect(port, decode_responses=True)
        assert c.config_get("appendfsync") == {"appendfsync": "everysec"}
        assert c.config_set("appendfsync", "always") is True
        with pytest.raises(redis.ResponseError, match="argument 'appendfsync'"):
            c.config_set("appendfsync", "sometimes")
        with pytest.raises(redis.ResponseError, match="Unknown option"):
            c.config_set("bogus", "1")
        assert c.config_set("timeout", "300") is True
        assert c.config_rewrite() in (True, "OK")
        text = conf.read_text()
        assert "# keep me" in text
        assert "appendfsync always" in text
        assert "timeout 300" in text
        c.close()
    finally:
        proc.stop()


def test_sigterm_exits_0_and_removes_the_pidfile(tmp_path):
    pidfile = tmp_path / "sb.pid"
    logfile = tmp_path / "sb.log"
    proc = splitbrain_server(
        tmp_path, args=["--pidfile", str(pidfile), "--logfile", str(logfile)]
    ).start()
    assert pidfile.read_text().strip() == str(proc.pid)
    assert proc.process is not None
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.process.wait(10) == 0
    assert not pidfile.exists()
    assert "ready to exit" in logfile.read_text()


def test_shutdown_command_stops_the_server(tmp_path):
    proc = splitbrain_server(tmp_path).start()
    try:
        c = connect(proc.port, retry=Retry(NoBackoff(), 0))
        c.shutdown(nosave=True)  # redis-py: the connection closing is the success
        assert proc.process is not None
        wait_until(
            lambda: proc.process is not None and proc.process.poll() is not None,
            10,
            "the server to exit",
        )
        assert proc.process.returncode == 0
    finally:
        proc.stop()
