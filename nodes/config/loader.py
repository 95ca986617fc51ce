"""redis-server's command line and config file syntax, read into a :class:`Config`.

``splitbrain-server [config-file] [-] [--name value...]``: the file is read first, then
stdin (``-`` as the first or last argument), then the ``--name value...`` options, each
as one more directive line (an option's values run up to the next ``--name``; the word
right after ``--name`` is always its value, so ``--requirepass --x`` works; ``--save``
followed by another option means ``save ""``).

A config file holds ``name value...`` lines, ``#`` comments and quoted values; besides
options it takes ``include <path or glob>``, ``rename-command <name> <new-name or "">``
and ``user default on nopass ~* &* +@all`` (the default user with full access, the only
ACL user splitbrain-server has). Errors raise :class:`nodes.errors.ConfigError` with one
line naming the place, the option and redis's reason.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nodes.acl.declaration import user_declaration_error
from nodes.config.store import Config, Rename
from nodes.config.table import BY_NAME, DEPRECATED
from nodes.config.values import parse
from nodes.errors import ConfigError
from nodes.resp.parser import split_args


class _Loader:
    """Applies directives to one :class:`Config`, remembering what a load must."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.save_seen = False
        self.reading = True
        self.depth = 0

    # ---- sources -------------------------------------------------------------------
    def load_file(self, path: str, where: str) -> None:
        """``include`` semantics: a glob that matches nothing is skipped; a plain path
        that cannot be read is fatal."""
        base = self.config.values["dir"]
        full = path if os.path.isabs(path) else os.path.join(base, path)
        names = sorted(glob.glob(full)) if any(c in path for c in "*?[") else [full]
        for name in names:
            try:
                text = Path(name).read_text(errors="surrogateescape")
            except OSError as exc:
                raise ConfigError(
                    f"{where}: Fatal error, can't open config file '{path}': {exc.strerror}"
                ) from None
            self.load_text(text, f"config file {name}")

    def load_text(self, text: str, source: str) -> None:
        for number, line in enumerate(text.split("\n"), 1):
            stripped = line.strip(" \t\r\n")
            if not stripped or stripped.startswith("#"):
                continue
            where = f"{source} line {number}"
            words = split_args(stripped.encode(errors="surrogateescape"))
            if words is None:
                raise ConfigError(f"{where}: Unbalanced quotes in configuration line")
            if words:
                texts = [w.decode(errors="surrogateescape") for w in words]
                self.directive(texts[0], texts[1:], where)

    # ---- one directive -------------------------------------------------------------
    def directive(self, name: str, args: list[str], where: str) -> None:
        low = name.lower()
        opt = BY_NAME.get(low)
        if opt is not None:
            multi = "multi-arg" in opt.flags
            if not multi and len(args) != 1:
                self._fail(where, name, args, "wrong number of arguments")
            if multi and len(args) == 1 and args[0]:
                split = split_args(args[0].encode(errors="surrogateescape"))
                args = [w.decode(errors="surrogateescape") for w in split or []]
            appending = False
            if opt.name == "save" and self.reading:
                appending, self.save_seen = self.save_seen, True
            try:
                text = parse(opt, args, self.config.values[opt.name], appending=appending)
            except ValueError as exc:
                self._fail(where, name, args, str(exc))
            self.config.values[opt.name] = text
            self.config.explicit.add(opt.name)
            return
        if low in DEPRECATED and len(args) == 1:
            return
        if low == "include" and len(args) == 1:
            self.depth += 1
            if self.depth > 32:
                raise ConfigError(f"{where}: include nesting is too deep")
            self.load_file(args[0], where)
            self.depth -= 1
            # redis's nested load ends by clearing its "reading a file" flag: from here
            # on each save line replaces the save points instead of adding to them
            self.reading = False
        elif low == "rename-command" and len(args) == 2:
            self.config.renames.append(Rename(args[0], args[1], where))
        elif low == "user" and args:
            self._user(args, where)
        elif low == "loadmodule" and args:
            raise ConfigError(f"{where}: loadmodule: splitbrain-server cannot load modules")
        elif "." in low:
            if not args:
                raise ConfigError(f"{where}: Module config specified without value")
            raise ConfigError(
                f"{where}: Module Configuration detected without loadmodule directive or no "
                "ApplyConfig call: aborting"
            )
        elif low == "sentinel":
            if not args:
                raise ConfigError(f"{where}: splitbrain-server has no sentinel mode")
            raise ConfigError(f"{where}: sentinel directive while not in sentinel mode")
        else:
            raise ConfigError(
                f"{where}: unknown option '{name}' (Bad directive or wrong number of arguments)"
            )

    def _user(self, args: list[str], where: str) -> None:
        """A ``user`` line, checked as redis's ACLAppendUserForLoading (server.acl
        applies it at start); redis names ``argv[j]`` for the j-th rule's error."""
        error = user_declaration_error(args, [u.split()[1] for u in self.config.users])
        if error is not None:
            raise ConfigError(f"{where}: {error}")
        self.config.users.append(" ".join(["user", *args]))

    @staticmethod
    def _fail(where: str, name: str, args: Sequence[str], reason: str) -> None:
        shown = " ".join(args)
        raise ConfigError(f"{where}: option '{name}' value '{shown}': {reason}")

    # ---- checks after everything is read ------------------------------------------
    def finish(self) -> None:
        values = self.config.values
        logfile = values["logfile"]
        if logfile:
            path = logfile if os.path.isabs(logfile) else os.path.join(values["dir"], logfile)
            try:
                with open(path, "a"):
                    pass
            except OSError as exc:
                raise ConfigError(f"Can't open the log file: {exc.strerror}") from None
        if values["cluster-enabled"] == "yes" and values["replicaof"]:
            raise ConfigError("replicaof directive not allowed in cluster mode")


def _group(args: Sequence[str]) -> list[list[str]]:
    """``--name value...`` arguments grouped into directive word lists, as redis-server's
    ``main`` builds its option lines."""
    lines: list[list[str]] = []
    expecting_value = False
    for i, arg in enumerate(args):
        last = i == len(args) - 1
        if not expecting_value and arg.startswith("--") and len(arg) > 2:
            words = split_args(arg[2:].encode(errors="surrogateescape")) or [b""]
            line = [w.decode(errors="surrogateescape") for w in words]
            lines.append(line)
            expecting_value = len(line) == 1
            if (
                expecting_value
                and arg.lower() == "--save"
                and (last or (args[i + 1].startswith("--") and len(args[i + 1]) > 2))
            ):
                line.append("")
                expecting_value = False
            continue
        if not lines:
            raise ConfigError(
                f"command line: unexpected argument '{arg}' (options are --name value)"
            )
        lines[-1].append(arg)
        expecting_value = False
    return lines


def parse_command_line(argv: Sequence[str], stdin_text: str | None = None) -> Config:
    """A :class:`Config` from redis-server style arguments."""
    args = list(argv)
    config = Config()
    loader = _Loader(config)
    config_path: str | None = None
    if args and not args[0].startswith("-"):
        config_path = args.pop(0)
        config.config_file = Path(config_path).resolve()
    read_stdin = False
    if args and args[0] == "-":
        args.pop(0)
        read_stdin = True
    if args and args[-1] == "-":
        args.pop()
        read_stdin = True
    if config_path is not None:
        try:
            text = Path(config_path).read_text(errors="surrogateescape")
        except OSError as exc:
            raise ConfigError(
                f"Fatal error, can't open config file '{config_path}': {exc.strerror}"
            ) from None
        loader.load_text(text, "config file")
    if read_stdin:
        loader.load_text(stdin_text if stdin_text is not None else sys.stdin.read(), "stdin")
    for words in _group(args):
        loader.directive(words[0], words[1:], "command line")
    loader.finish()
    return config
