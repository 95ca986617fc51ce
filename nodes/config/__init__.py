"""Server configuration: redis-server 7.0's options, command line, config file syntax,
CONFIG GET/SET/REWRITE.

``table`` declares every option once; ``values`` types a value; ``loader`` reads the
command line and config files; ``store`` holds the running values; ``rewrite`` writes
the file back.
"""

from nodes.config.loader import parse_command_line
from nodes.config.store import Config, ConfigSetError, Rename
from nodes.config.table import BY_NAME, OPTIONS, Option
from nodes.config.values import parse_memory

__all__ = [
    "BY_NAME",
    "OPTIONS",
    "Config",
    "ConfigSetError",
    "Option",
    "Rename",
    "parse_command_line",
    "parse_memory",
]
