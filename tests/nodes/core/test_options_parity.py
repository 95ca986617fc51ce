"""Every option of redis-server 7.0.15, side by side with the real one: CONFIG GET *
names and default values, CONFIG REWRITE output (redis accepts ours, and writes the same
lines), config-file directives (include, rename-command, aliases, hidden test options),
command-line grouping, and the one table of inert options in docs/nodes.md."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from nodes.config import OPTIONS, parse_command_line
from nodes.errors import ConfigError
from tests.nodes.core.conftest import connect
from tests.support.servers import (
    REDIS_SERVER,
    ServerProcess,
    free_port,
    redis_server,
    splitbrain_server,
)

pytestmark = pytest.mark.redis
DOCS = Path(__file__).resolve().parents[3] / "docs" / "nodes.md"
MACHINE_DEPENDENT = {"port", "dir", "pidfile", "logfile", "save"}
"""Values that differ by how the two servers were started, not by their defaults."""

CHANGES = [
    ("maxmemory", "1gb"),
    ("maxmemory-clients", "10%"),
    ("maxmemory-policy", "allkeys-lru"),
    ("save", "900 1 300 10"),
    ("notify-keyspace-events", "KEA"),
    ("client-output-buffer-limit", "replica 512mb 128mb 30 pubsub 1000 0 0"),
    ("oom-score-adj-values", "0 100 300"),
    ("shutdown-on-sigterm", "nosave now"),
    ("latency-tracking-info-percentiles", "50 99.5"),
    ("proc-title-template", "{title} {port}"),
    ("list-max-listpack-size", "-1"),
    ("hz", "100"),
    ("timeout", "300"),
    ("repl-backlog-size", "3mb"),
    ("proto-max-bulk-len", "2000kb"),
    ("cluster-announce-hostname", "node-1"),
    ("replica-announce-ip", "10.1.2.3"),
    ("requirepass", ""),
    ("ignore-warnings", 'say "hi"'),
    ("appendfsync", "always"),
    ("oom-score-adj", "relative"),
]


def test_config_get_star_lists_redis_names_and_default_values(real_redis, our_server):
    theirs = connect(real_redis.port, decode_responses=True).config_get("*")
    ours = connect(our_server.port, decode_responses=True).config_get("*")
    assert len(theirs) == 192
    assert sorted(ours) == sorted(theirs)
    differ = {
        name: (theirs[name], ours[name])
        for name in theirs
        if name not in MACHINE_DEPENDENT and theirs[name] != ours[name]
    }
    assert not differ


def test_every_option_is_in_the_table_with_redis_flags():
    names = {o.name for o in OPTIONS}
    hidden = {o.name for o in OPTIONS if "hidden" in o.flags and "ours" not in o.flags}
    assert all(
        "hidden" in o.flags and o.name.startswith("splitbrain-")
        for o in OPTIONS
        if "ours" in o.flags
    )
    assert hidden == {
        "use-exit-on-panic",
        "rdb-key-save-delay",
        "key-load-delay",
        "loading-process-events-interval-bytes",
        "watchdog-period",
    }
    assert {o.name for o in OPTIONS if "protected" in o.flags} == {"dir", "dbfilename"}
    assert len(names) == len(OPTIONS)


def _both_rewrite(tmp_path: Path) -> tuple[str, str, dict[str, str]]:
    """Apply CHANGES with CONFIG SET on both servers (each with a config file), then
    CONFIG REWRITE; the two files' texts and our CONFIG GET * after the changes."""
    texts = []
    shown: dict[str, str] = {}
    for kind in ("redis", "ours"):
        workdir = tmp_path / kind
        workdir.mkdir()
        conf = workdir / "node.conf"
        conf.write_text(
            "# my comment\nmaxmemory 5mb\nsave 60 1\nsave 30 2\nlist-max-ziplist-entries 10\n"
        )
        make = redis_server if kind == "redis" else splitbrain_server
        server = make(workdir)
        server.argv.insert(1 if kind == "redis" else 3, str(conf))
        server.start()
        try:
            c = connect(server.port, decode_responses=True)
            for name, value in CHANGES:
                assert c.config_set(name, value) is True, name
            assert c.config_rewrite() in (True, "OK")
            shown = c.config_get("*")
            c.close()
        finally:
            server.stop()
        texts.append(conf.read_text())
    return texts[0], texts[1], shown


def test_config_rewrite_writes_what_redis_writes(tmp_path: Path):
    theirs, ours, _ = _both_rewrite(tmp_path)

    def normal(text: str) -> list[str]:
        lines = []
        for raw in text.splitlines():
            line = re.sub(r"^(port|dir) .*", r"\1 <start-up>", raw)
            if not line.startswith("user "):  # redis writes its ACL users; we keep ours
                lines.append(line)
        return sorted(lines)

    assert normal(ours) == normal(theirs)
    assert ours.startswith("# my comment\nmaxmemory 1gb\nsave 900 1\nsave 300 10\n# ??? list-max")


def test_redis_starts_from_our_rewritten_file(tmp_path: Path):
    if REDIS_SERVER is None:
        pytest.fail("redis-server missing: run make setup")
    _, ours, expected = _both_rewrite(tmp_path)
    conf = tmp_path / "ours.conf"
    conf.write_text(ours)
    port = free_port()
    argv = [REDIS_SERVER, str(conf), "--port", str(port), "--dir", str(tmp_path)]
    server = ServerProcess(argv, port, tmp_path).start()
    try:
        got = connect(port, decode_responses=True).config_get("*")
    finally:
        server.stop()
    differ = {
        name: (got[name], expected[name])
        for name in got
        if name not in ("port", "dir") and got[name] != expected[name]
    }
    assert not differ
    assert got["maxmemory-clients"] == "10%"
    assert got["client-output-buffer-limit"] == (
        "normal 0 0 0 slave 536870912 134217728 30 pubsub 1000 0 0"
    )


def _pair_on_file(tmp_path: Path, conf_text: str, extra: list[str]) -> list[ServerProcess]:
    servers = []
    for kind in ("redis", "ours"):
        workdir = tmp_path / kind
        (workdir / "conf.d").mkdir(parents=True)
        (workdir / "more.conf").write_text("maxmemory 2mb\nslave-priority 7\n")
        conf = workdir / "main.conf"
        conf.write_text(conf_text.replace("WORKDIR", str(workdir)))
        port = free_port()
        if kind == "redis":
            assert REDIS_SERVER is not None
            argv = [REDIS_SERVER, str(conf)]
        else:
            argv = [sys.executable, "-m", "nodes", str(conf)]
        argv += ["--port", str(port), "--bind", "127.0.0.1", *extra]
        servers.append(ServerProcess(argv, port, workdir))
    return servers


def test_include_rename_command_and_hidden_options_like_redis(tmp_path: Path):
    text = (
        "dir WORKDIR\n"
        "include WORKDIR/more.conf\n"
        "include WORKDIR/conf.d/*.conf\n"
        'rename-command FLUSHALL ""\n'
        "rename-command config MyConfig\n"
        "hash-max-ziplist-entries 100\n"
        "list-max-ziplist-entries 10\n"
        "key-load-delay 50\n"
        "rdb-key-save-delay 3\n"
        "loading-process-events-interval-bytes 1024\n"
        "enable-protected-configs yes\n"
        "enable-debug-command local\n"
        "enable-module-command yes\n"
        "latency-monitor-threshold 200\n"
        "notify-keyspace-events KEA\n"
        "save 900 1\n"
        "save 300 10\n"
    )
    servers = _pair_on_file(
        tmp_path, text, ["--save", "60", "5", "--repl-diskless-sync-delay", "0"]
    )
    replies = []
    try:
        for server in servers:
            server.start()
            c = connect(server.port, decode_responses=True)
            got: list[object] = []
            for args in (
                ("MYCONFIG", "GET", "maxmemory"),
                ("MYCONFIG", "GET", "slave-priority"),
                ("MYCONFIG", "GET", "hash-max-listpack-entries"),
                ("MYCONFIG", "GET", "key-load-delay"),
                ("MYCONFIG", "GET", "rdb-key-save-delay"),
                ("MYCONFIG", "GET", "loading-process-events-interval-bytes"),
                ("MYCONFIG", "GET", "repl-diskless-sync-delay"),
                ("MYCONFIG", "GET", "enable-*"),
                ("MYCONFIG", "GET", "latency-monitor-threshold"),
                ("MYCONFIG", "GET", "notify-keyspace-events"),
                ("MYCONFIG", "GET", "save"),
                ("MYCONFIG", "SET", "dbfilename", "other.rdb"),
                ("MYCONFIG", "SET", "key-load-delay", "0"),
                ("FLUSHALL",),
                ("CONFIG", "GET", "maxmemory"),
            ):
                try:
                    reply = c.execute_command(*args)
                    if isinstance(reply, list):  # CONFIG GET pairs: the order is redis's dict's
                        pairs = iter(reply)
                        reply = sorted(zip(pairs, pairs, strict=True))
                    got.append(reply)
                except Exception as exc:
                    got.append(f"error: {exc}")
            c.close()
            replies.append(got)
            server.stop()
    finally:
        for server in servers:
            server.stop()
    assert replies[1] == replies[0]
    assert replies[1][0] == [("maxmemory", "2097152")]
    # after an include, redis's save lines replace each other (its nested load clears
    # the flag that makes them accumulate)
    assert replies[1][10] == [("save", "60 5")]


@pytest.mark.parametrize(
    ("argv", "name", "value"),
    [
        (["--save", "--port", "7000"], "save", ""),
        (["--save"], "save", ""),
        (["--save", "900", "1", "--save", "300", "10"], "save", "900 1 300 10"),
        (["--save", "900 1"], "save", "900 1"),
        (["--requirepass", "--not-an-option"], "requirepass", "--not-an-option"),
        (["--port 7005"], "port", "7005"),
        (["--bind", "127.0.0.1", "-::1"], "bind", "127.0.0.1 -::1"),
        (["--slaveof", "10.0.0.1", "6379"], "replicaof", "10.0.0.1 6379"),
        (["--shutdown-on-sigint", "nosave", "now"], "shutdown-on-sigint", "nosave now"),
        (["--maxmemory", "2GB"], "maxmemory", str(2 * 1024**3)),
    ],
)
def test_command_line_groups_values_like_redis(argv, name, value):
    assert parse_command_line(argv).value(name) == value


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--port", "70000"], "argument must be between 0 and 65535 inclusive"),
        (["--maxmemory", "-1"], "argument must be a memory value"),
        (["--timeout", "1", "2"], "wrong number of arguments"),
        (["--loglevel", "loud"], "argument(s) must be one of the following: debug, verbose"),
        (["--save", "1"], "Invalid save parameters"),
        (["--cluster-enabled", "yes", "--replicaof", "h", "1"], "not allowed in cluster mode"),
        (["--include", "/nonexistent/x.conf"], "can't open config file"),
        (["--logfile", "/nonexistent/x.log"], "Can't open the log file"),
        (["--my.module-option", "1"], "without loadmodule"),
        (["--user", "alice", "on", "foo"], "Error in user declaration 'alice': Syntax error"),
    ],
)
def test_bad_values_give_redis_reasons(argv, reason):
    with pytest.raises(ConfigError) as caught:
        parse_command_line(argv)
    assert reason in str(caught.value)


def test_config_file_line_is_named(tmp_path: Path):
    conf = tmp_path / "x.conf"
    conf.write_text("# c\nport 7000\nhz abc\n")
    with pytest.raises(ConfigError, match=r"line 3: option 'hz' value 'abc': argument couldn't"):
        parse_command_line([str(conf)])


def test_the_docs_list_exactly_the_inert_options():
    """docs/nodes.md has one table of the options splitbrain-server accepts but does not
    act on; it must name exactly the table's ``inert`` options."""
    text = DOCS.read_text()
    section = text.split("### Options without effect", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9_-]+)`", section, flags=re.M))
    assert listed == {o.name for o in OPTIONS if o.inert}


def test_config_set_takes_back_every_value_config_get_shows(our_server):
    """Every value CONFIG GET * shows is accepted back by CONFIG SET (mutable options)."""
    c = connect(our_server.port, decode_responses=True)
    values = c.config_get("*")
    refused = {}
    for opt in OPTIONS:
        if not opt.mutable or "protected" in opt.flags or "hidden" in opt.flags:
            continue
        if opt.name in ("port", "bind"):
            continue
        try:
            c.config_set(opt.name, values[opt.name])
        except Exception as exc:
            refused[opt.name] = str(exc)
    assert not refused
