"""RESP frames: the request parser, reply values and their RESP2/RESP3 encoder."""

from nodes.resp.encoder import encode, encode_into, format_double
from nodes.resp.parser import RequestParser, split_args, string2ll
from nodes.resp.values import (
    NO_REPLY,
    NULL_ARRAY,
    OK,
    PONG,
    QUEUED,
    Blocked,
    Error,
    Push,
    Raw,
    Reply,
    SetReply,
    Simple,
    Verbatim,
)

__all__ = [
    "NO_REPLY",
    "NULL_ARRAY",
    "OK",
    "PONG",
    "QUEUED",
    "Blocked",
    "Error",
    "Push",
    "Raw",
    "Reply",
    "RequestParser",
    "SetReply",
    "Simple",
    "Verbatim",
    "encode",
    "encode_into",
    "format_double",
    "split_args",
    "string2ll",
]
