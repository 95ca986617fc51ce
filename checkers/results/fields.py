"""Reading JSON fields of checker results: a missing or mistyped field is a
``ValueError`` naming it (results.json is read back from disk, and may be old or
hand-edited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def mapping(data: object, what: str) -> Mapping[str, Any]:
    """``data`` when it is a JSON object."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: expected an object, got {type(data).__name__}")
    return data


def integer(data: Mapping[str, Any], name: str, default: int | None = None) -> int:
    """The integer field ``name`` (``default`` when missing, if given)."""
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"field {name!r}: expected an integer, got {value!r}")
    return value


def optional_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    return None if value is None else integer(data, name)


def optional_str(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else str(value)


def listed(data: Mapping[str, Any], name: str) -> list[Any]:
    """The list field ``name`` (empty when missing)."""
    value = data.get(name, [])
    if not isinstance(value, list | tuple):
        raise ValueError(f"field {name!r}: expected a list, got {type(value).__name__}")
    return list(value)
