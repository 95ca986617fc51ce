"""Elle-style transactional checking: list-append histories judged by version orders
and dependency cycles, and optionally by an external elle-cli."""

from checkers.elle.elle_cli import ElleCliChecker, ElleCliError
from checkers.elle.list_append import CONSISTENCY_MODELS, ListAppendChecker

__all__ = ["CONSISTENCY_MODELS", "ElleCliChecker", "ElleCliError", "ListAppendChecker"]
