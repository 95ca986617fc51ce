"""The exit codes of every ``harness`` command, Jepsen's CLI's.

0 valid, 1 invalid, 2 unknown, 254 bad arguments (or unreadable input), 255 internal
error. Declared here only; commands import them (``harness check`` too, so this module
imports nothing: it must not slow that command's start).
"""

from __future__ import annotations

from typing import Final

EXIT_VALID: Final = 0
EXIT_INVALID: Final = 1
EXIT_UNKNOWN: Final = 2
EXIT_BAD_ARGS: Final = 254
EXIT_INTERNAL: Final = 255

BY_VERDICT: Final = {"valid": EXIT_VALID, "invalid": EXIT_INVALID, "unknown": EXIT_UNKNOWN}
"""A verdict's value (``checkers.verdict.Verdict.value``) -> its exit code."""

SUMMARY: Final = "Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 internal error."
"""The sentence the commands' help ends with."""
