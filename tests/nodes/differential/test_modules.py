"""MODULE beside redis-server 7.0: LIST and HELP, the protected refusal by default, and
with ``enable-module-command yes`` (an immutable option: set at start) the load and
unload errors redis gives when a module cannot be loaded or is not there -- ours loads no
native modules, so every load fails as one of redis's does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.nodes.differential.conftest import SAME_AS_REDIS, ServerPair, start_pair
from tests.nodes.differential.runner import both_protocols, cmd, report, run_pair

pytestmark = pytest.mark.redis

MODULES_ON = ("--enable-module-command", "yes")

ASKED = [
    cmd("MODULE", "LIST"),
    cmd("MODULE", "HELP"),
    cmd("module", "help"),
    cmd("MODULE"),
    cmd("MODULE", "HELP", "x"),
    cmd("MODULE", "LIST", "x"),
    cmd("MODULE", "LOAD"),
    cmd("MODULE", "UNLOAD"),
    cmd("MODULE", "UNLOAD", "a", "b"),
    cmd("MODULE", "bogus"),
    cmd("MODULE", "LOAD", "/nonexistent/module.so"),
    cmd("MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2"),
    cmd("MODULE", "LOADEX", "/nonexistent/module.so"),
    cmd("MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "name", "value"),
    cmd("MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "name"),
    cmd("MODULE", "LOADEX", "/nonexistent/module.so", "bogus"),
    cmd("MODULE", "LOADEX", "/nonexistent/module.so", "ARGS", "a", "b"),
    cmd("MODULE", "UNLOAD", "nosuchmodule"),
    # the container's own entry lists its subcommands in redis's hash order, which a
    # process draws at random: each subcommand is compared on its own instead
    cmd("COMMAND", "INFO", "module|help", "module|list", "module|load", "module|loadex"),
    cmd("COMMAND", "INFO", "module|unload", "failover"),
    cmd("COMMAND", "COUNT"),
]


@pytest.fixture(scope="module")
def modules_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPair]:
    yield from start_pair(
        tmp_path_factory.mktemp("modules"), MODULES_ON, (*SAME_AS_REDIS, *MODULES_ON)
    )


def test_module_commands_agree_with_redis(modules_pair: ServerPair) -> None:
    for s in both_protocols("module-enabled", *ASKED):
        diffs = run_pair(s, modules_pair.theirs.port, modules_pair.ours.port)
        assert not diffs, report(s, diffs)


def test_module_loading_is_refused_by_default(server_pair: ServerPair) -> None:
    for s in both_protocols("module-default", *ASKED):
        diffs = run_pair(s, server_pair.theirs.port, server_pair.ours.port)
        assert not diffs, report(s, diffs)
