"""The running configuration: current values, typed getters, CONFIG GET and CONFIG SET.

Values are kept as the canonical text CONFIG GET answers (``maxmemory`` in bytes,
``maxmemory-clients`` as ``10%``...). Components read them with the typed getters and
subscribe to changes through ``listeners``; a component whose live state *is* the
option (the working directory, the master being followed) registers a ``getters``
entry, which CONFIG GET and CONFIG REWRITE read instead of the stored text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nodes.config.rewrite import rewrite_file
from nodes.config.table import BY_NAME, OPTIONS, Option
from nodes.config.values import number_of, parse, parse_memory
from nodes.pattern import matches

_TLS_ON = ("tls-port", "tls-replication", "tls-cluster")


class ConfigSetError(Exception):
    """A refused CONFIG SET; the message is the whole error text after ``ERR``."""


@dataclass(frozen=True, slots=True)
class Rename:
    """A ``rename-command old new`` directive (``new`` empty: the command is removed)."""

    old: str
    new: str
    where: str


@dataclass
class Config:
    """Current option values (canonical strings) plus typed getters."""

    config_file: Path | None = None
    values: dict[str, str] = field(default_factory=lambda: {o.name: o.default for o in OPTIONS})
    listeners: dict[str, list[Callable[[str], None]]] = field(default_factory=dict)
    """Option name -> callbacks run after CONFIG SET changed it. A callback refuses the
    change by raising ``OSError`` (its strerror is the reason) or ``ValueError``."""
    getters: dict[str, Callable[[], str]] = field(default_factory=dict)
    """Option name -> live value for CONFIG GET / REWRITE (``dir`` is the cwd)."""
    renames: list[Rename] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    """``user`` directives as read (only the default user with full access is accepted)."""
    explicit: set[str] = field(default_factory=set)
    """Options set by the command line or a config file (not left at their default)."""

    # ---- typed getters -------------------------------------------------------------
    def get_str(self, name: str) -> str:
        return self.values[name]

    def get_int(self, name: str) -> int:
        return number_of(BY_NAME[name], self.values[name])

    def get_bool(self, name: str) -> bool:
        return self.values[name] == "yes"

    def get_words(self, name: str) -> list[str]:
        return self.values[name].split()

    def value(self, name: str) -> str:
        """What CONFIG GET shows for the option ``name`` (primary name)."""
        getter = self.getters.get(name)
        return getter() if getter is not None else self.values[name]

    def output_limit(self, klass: str = "normal") -> tuple[int, int, int]:
        """(hard bytes, soft bytes, soft seconds) of a client class; 0 means none."""
        parts = self.values["client-output-buffer-limit"].split()
        klass = "slave" if klass == "replica" else klass
        for i in range(0, len(parts), 4):
            if parts[i] == klass:
                hard = parse_memory(parts[i + 1]) or 0
                soft = parse_memory(parts[i + 2]) or 0
                return hard, soft, int(parts[i + 3])
        return 0, 0, 0

    # ---- CONFIG GET ----------------------------------------------------------------
    def matching(self, pattern: bytes) -> dict[bytes, bytes]:
        """CONFIG GET of one argument: an exact name (shown as asked, hidden options too)
        or a glob over every name and alias that is not hidden."""
        text = pattern.decode(errors="replace")
        if not any(c in text for c in "[*?"):
            opt = BY_NAME.get(text.lower())
            return {} if opt is None else {pattern: self.value(opt.name).encode()}
        out: dict[bytes, bytes] = {}
        low = pattern.lower()
        for opt in OPTIONS:
            if "hidden" in opt.flags:
                continue
            for name in (opt.name, *opt.aliases):
                if matches(low, name.encode()):
                    out[name.encode()] = self.value(opt.name).encode()
        return out

    # ---- CONFIG SET ----------------------------------------------------------------
    def set_runtime(self, name: str, value: str) -> str | None:
        """CONFIG SET of one option; redis's failure reason, or ``None``."""
        try:
            self.set_many([(name, value)], local=True)
        except ConfigSetError as exc:
            return str(exc).rsplit(" - ", 1)[-1]
        return None

    def set_many(self, pairs: Sequence[tuple[str, str]], *, local: bool) -> None:
        """CONFIG SET name value [name value ...]: all or nothing, in redis's order:
        names (unknown, immutable, protected, duplicate), then values, then listeners
        (a refusal restores every old value). Raises :class:`ConfigSetError`."""
        found: list[Option] = []
        seen: set[str] = set()
        for name, _ in pairs:
            opt = BY_NAME.get(name.lower())
            if opt is None:
                raise ConfigSetError(
                    f"Unknown option or number of arguments for CONFIG SET - '{name}'"
                )
            reason = ""
            if not opt.mutable:
                reason = "can't set immutable config"
            elif "protected" in opt.flags and not self._protected_allowed(local):
                reason = "can't set protected config"
            elif name.lower() in seen:
                reason = "duplicate parameter"
            if reason:
                raise ConfigSetError(
                    f"CONFIG SET failed (possibly related to argument '{name}') - {reason}"
                )
            seen.add(name.lower())
            found.append(opt)
        old = dict(self.values)
        changed: list[tuple[str, Option]] = []
        for (name, value), opt in zip(pairs, found, strict=True):
            words = value.split(" ") if "multi-arg" in opt.flags and value else [value]
            if "multi-arg" in opt.flags and not value:
                words = []
            try:
                text = parse(opt, words, self.values[opt.name])
            except ValueError as exc:
                self.values = old
                raise ConfigSetError(
                    f"CONFIG SET failed (possibly related to argument '{name.lower()}') - {exc}"
                ) from None
            if text != self.values[opt.name] or opt.name == "dir":
                self.values[opt.name] = text
                changed.append((name.lower(), opt))
        for name, opt in changed:
            refusal = self._apply(opt)
            if refusal is not None:
                restored = [o for _, o in changed if self.values[o.name] != old[o.name]]
                self.values = old
                for back in restored:
                    self._apply(back)
                raise ConfigSetError(
                    f"CONFIG SET failed (possibly related to argument '{name}') - {refusal}"
                )

    def _protected_allowed(self, local: bool) -> bool:
        allowed = self.values["enable-protected-configs"]
        return allowed == "yes" or (allowed == "local" and local)

    def _apply(self, opt: Option) -> str | None:
        """Run ``opt``'s listeners; the reason one refused, or None."""
        if opt.name.startswith("tls-") and (
            opt.name == "tls-port" or any(self.values[n] not in ("0", "no") for n in _TLS_ON)
        ):
            return "Unable to update TLS configuration. Check server logs."
        for callback in self.listeners.get(opt.name, []):
            try:
                callback(self.values[opt.name])
            except OSError as exc:
                return exc.strerror or str(exc)
            except ValueError as exc:
                return str(exc)
        return None

    # ---- CONFIG REWRITE ----------------------------------------------------------------
    def rewrite(self) -> None:
        """CONFIG REWRITE: update the config file in place (atomically)."""
        if self.config_file is None:
            raise OSError("The server is running without a config file")
        rewrite_file(self, self.config_file)
