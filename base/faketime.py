"""The libfaketime environment a node is started with when a run skews clocks.

A database that supports the ``clock`` fault starts every node with
:func:`faketime_env` (one timestamp file per node); the nemesis then writes offsets into
the files. Kept here so the harness's databases and the nemesis read one definition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

LIBFAKETIME_DIRS: Final = (
    Path("/usr/lib/x86_64-linux-gnu/faketime"),
    Path("/usr/lib/aarch64-linux-gnu/faketime"),
    Path("/usr/lib/faketime"),
)


class FaketimeUnavailable(RuntimeError):
    """libfaketime is not installed, so no node can be started under it."""


def libfaketime() -> Path | None:
    """The installed ``libfaketime.so.1``, or None."""
    for folder in LIBFAKETIME_DIRS:
        lib = folder / "libfaketime.so.1"
        if lib.exists():
            return lib
    return None


def faketime_env(timestamp_file: Path) -> dict[str, str]:
    """Environment to start a node under libfaketime, its offset read from the file
    (re-read at most once a second).

    Raises :class:`FaketimeUnavailable` if libfaketime is not installed (Debian package
    faketime).
    """
    lib = libfaketime()
    if lib is None:
        raise FaketimeUnavailable("fault 'clock' needs libfaketime (Debian package faketime)")
    return {
        "LD_PRELOAD": str(lib),
        "FAKETIME_TIMESTAMP_FILE": str(timestamp_file),
        "FAKETIME_CACHE_DURATION": "1",
    }
