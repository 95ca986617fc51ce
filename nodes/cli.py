"""The ``splitbrain-server`` command line (placeholder until the server lands)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print("splitbrain-server: not implemented yet", file=sys.stderr)
    return 1
