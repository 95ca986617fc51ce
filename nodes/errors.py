"""The node's exception tree: every failure a client can cause is a :class:`NodeError`.

One place (``nodes.commands.dispatch``) turns a :class:`NodeError` raised by a handler
into a RESP error reply; handlers and the keyspace only ``raise``. ``text`` is the error
line without the leading ``-`` and trailing CRLF, e.g. ``b"ERR syntax error"``.
"""

from __future__ import annotations


class NodeError(Exception):
    """A client-visible error; ``text`` is sent verbatim as ``-<text>\\r\\n``."""

    def __init__(self, text: bytes | str) -> None:
        if isinstance(text, str):
            text = text.encode()
        super().__init__(text.decode(errors="replace"))
        self.text = text


class CommandError(NodeError):
    """A generic ``-ERR ...`` caused by the client's request."""

    def __init__(self, message: str | bytes) -> None:
        if isinstance(message, str):
            message = message.encode()
        super().__init__(b"ERR " + message)


class SyntaxErr(CommandError):
    def __init__(self) -> None:
        super().__init__("syntax error")


class SubcommandSyntaxError(CommandError):
    """redis's addReplySubcommandSyntaxError: ``argv[1]`` as sent, under ``argv[0]``."""

    def __init__(self, argv: list[bytes]) -> None:
        super().__init__(
            b"unknown subcommand or wrong number of arguments for '"
            + argv[1][:128]
            + b"'. Try "
            + argv[0].upper()
            + b" HELP."
        )


class WrongTypeError(NodeError):
    def __init__(self) -> None:
        super().__init__("WRONGTYPE Operation against a key holding the wrong kind of value")


class NotIntegerError(CommandError):
    def __init__(self) -> None:
        super().__init__("value is not an integer or out of range")


class NotFloatError(CommandError):
    def __init__(self) -> None:
        super().__init__("value is not a valid float")


class OverflowErr(CommandError):
    def __init__(self) -> None:
        super().__init__("increment or decrement would overflow")


class ArityError(CommandError):
    def __init__(self, name: str) -> None:
        super().__init__(f"wrong number of arguments for '{name}' command")


class CrossSlotError(NodeError):
    def __init__(self) -> None:
        super().__init__("CROSSSLOT Keys in request don't hash to the same slot")


class ProtocolError(NodeError):
    """Malformed RESP from a client: answered with ``-ERR Protocol error: ...``, then the
    connection is closed (``reason`` is the part after ``Protocol error: ``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(b"ERR Protocol error: " + reason.encode())
        self.reason = reason


class ConfigError(Exception):
    """A bad option on the command line or in a config file (the user's fault, not a
    client's): one line naming the option; the server exits 1."""


class AofError(Exception):
    """The append-only file cannot be loaded (corruption in the middle): names file and
    offset; the server refuses to start."""
