"""Command-line options declared on the dataclass fields they set.

A field made with :func:`flag` carries its option's name, help and group; its default is
the field's own, shown in the help wherever the text says ``{default}``. :func:`add_flags`
declares every such field of a dataclass (and of the dataclasses it nests, see
:func:`nested`) on an argparse parser, in field order; :func:`flag_value` reads one back
from the parsed arguments. So a default is written once, on its field, and ``--help``
shows that one.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

_KEY: Final = "harness.flag"
_NESTED: Final = "harness.nested"
FIELD_DEFAULT: Final = object()
"""``Flag.cli_default``'s default: the command line defaults to the field's default."""


class BadArguments(ValueError):
    """A user mistake in the options: a one-line message naming the option (exit 254)."""


@dataclass(frozen=True, slots=True)
class Flag:
    """How one field appears on the command line.

    ``option`` is the option (``--nodes``); ``group`` the help section; ``help`` may say
    ``{default}``, replaced by the field's default as the user would type it.
    ``cli_default`` replaces the field's default on the command line when the program
    decides later (``None``: "not given", e.g. ``--seed``: random). ``parse`` turns the
    command-line value into the field's (``yes`` -> True). ``store_false`` makes a switch
    that sets a True field to False (``--no-recovery``); ``repeat`` an option that may be
    given several times (collected in a tuple)."""

    option: str
    group: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    kind: type | None = None
    cli_default: Any = FIELD_DEFAULT
    parse: Callable[[Any], Any] | None = None
    store_false: bool = False
    store_true: bool = False
    repeat: bool = False


def flag(default: Any, option: str, group: str, help: str, **how: Any) -> Any:
    """A dataclass field with ``default`` and its command-line :class:`Flag`."""
    return dataclasses.field(default=default, metadata={_KEY: Flag(option, group, help, **how)})


def nested(factory: Callable[[], Any], flags: Mapping[str, Flag] | None = None) -> Any:
    """A dataclass field holding another dataclass whose flags appear at this field's
    place. ``flags`` declares flags for fields of a class that does not declare its own
    (the nemesis does not know the harness's options): field name -> :class:`Flag`."""
    return dataclasses.field(default_factory=factory, metadata={_NESTED: dict(flags or {})})


@dataclass(frozen=True, slots=True)
class Bound:
    """A flag bound to its field: ``dest`` is where argparse stores it."""

    dest: str
    field: dataclasses.Field[Any]
    flag: Flag
    default: Any


def bound_flags(
    cls: type, prefix: str = "", extra: Mapping[str, Flag] | None = None
) -> Iterator[Bound]:
    """Every flag of dataclass ``cls`` and of its nested dataclasses, in field order."""
    for f in dataclasses.fields(cls):
        declared = (extra or {}).get(f.name) or f.metadata.get(_KEY)
        if isinstance(declared, Flag):
            default = f.default
            if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            yield Bound(prefix + f.name, f, declared, default)
        elif _NESTED in f.metadata:
            inner = f.default_factory
            assert inner is not dataclasses.MISSING, f"nested field {f.name} needs a factory"
            yield from bound_flags(type(inner()), f"{prefix}{f.name}.", f.metadata[_NESTED])


def shown(value: Any) -> str:
    """A default as the user would type it: yes/no, 60 rather than 60.0."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def add_flags(parser: argparse.ArgumentParser, cls: type) -> None:
    """Declare every flag of ``cls`` on ``parser``, in groups in order of first use."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    for b in bound_flags(cls):
        fl = b.flag
        if fl.group not in groups:
            groups[fl.group] = parser.add_argument_group(fl.group)
        kwargs: dict[str, Any] = {"dest": b.dest, "help": fl.help.format(default=shown(b.default))}
        if fl.store_true or fl.store_false:
            kwargs["action"] = "store_true"
        else:
            if fl.cli_default is not FIELD_DEFAULT:
                kwargs["default"] = fl.cli_default
            elif fl.repeat:
                kwargs["default"] = None
            elif fl.choices is not None and isinstance(b.default, bool):
                kwargs["default"] = shown(b.default)
            else:
                kwargs["default"] = b.default
            if fl.repeat:
                kwargs["action"] = "append"
            for name in ("metavar", "choices"):
                if getattr(fl, name) is not None:
                    kwargs[name] = getattr(fl, name)
            if fl.kind is not None:
                kwargs["type"] = fl.kind
        groups[fl.group].add_argument(fl.option, **kwargs)


def flag_value(args: argparse.Namespace, b: Bound) -> Any:
    """The field value for flag ``b`` from parsed ``args`` (before the caller's checks)."""
    raw = getattr(args, b.dest)
    fl = b.flag
    if fl.store_false:
        return not raw
    if fl.repeat:
        raw = tuple(raw or ())
    if fl.parse is not None and raw is not None:
        return fl.parse(raw)
    return raw


def flag_values(args: argparse.Namespace, cls: type, prefix: str = "") -> dict[str, Any]:
    """Field name -> value for the flags of the fields directly under ``prefix`` among
    the flags of ``cls`` (``""``: its own; ``"cluster."``: those of its field
    ``cluster``)."""
    out: dict[str, Any] = {}
    for b in bound_flags(cls):
        if b.dest.startswith(prefix) and "." not in b.dest[len(prefix) :]:
            out[b.dest[len(prefix) :]] = flag_value(args, b)
    return out
