"""The options redis parses with functions of their own (``kind="special"``): ``save``,
``client-output-buffer-limit``, ``oom-score-adj-values``, ``notify-keyspace-events``,
``bind``, ``replicaof``, ``latency-tracking-info-percentiles``, ``dir``. Same contract as
:func:`nodes.config.values.parse`: canonical text, or ``ValueError`` with redis's reason.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from nodes.config.numbers import memtoull, strtol
from nodes.config.table import Option

_NOTIFY = "g$lshzxetdn"
"""Event class letters in the order redis prints them (``A`` covers all of these but n)."""
_NOTIFY_ALL = frozenset("g$lshzxetd")
_BIND_MAX = 16
_OBUF_CLASSES = ("normal", "slave", "pubsub")


def _save(words: Sequence[str], current: str, appending: bool) -> str:
    if len(words) == 1 and words[0] == "":
        return ""
    if len(words) % 2:
        raise ValueError("Invalid save parameters")
    numbers = [strtol(word) for word in words]
    for i, number in enumerate(numbers):
        if number is None or number < (1 if i % 2 == 0 else 0):
            raise ValueError("Invalid save parameters")
    pairs = " ".join(str(n) for n in numbers)
    return f"{current} {pairs}".strip() if appending else pairs


def _obuf_limits(words: Sequence[str], current: str) -> str:
    if len(words) % 4:
        raise ValueError("Wrong number of arguments in buffer limit configuration.")
    parts = current.split()
    classes = {parts[i]: parts[i + 1 : i + 4] for i in range(0, len(parts), 4)}
    for i in range(0, len(words), 4):
        klass = words[i].lower()
        klass = "slave" if klass == "replica" else klass
        if klass not in _OBUF_CLASSES:
            raise ValueError("Invalid client class specified in buffer limit configuration.")
        hard, soft = memtoull(words[i + 1]), memtoull(words[i + 2])
        seconds = strtol(words[i + 3])
        if hard is None or soft is None or seconds is None or seconds < 0:
            raise ValueError(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration."
            )
        classes[klass] = [str(hard), str(soft), str(seconds)]
    return " ".join(f"{k} {' '.join(classes[k])}" for k in _OBUF_CLASSES)


def _oom_values(words: Sequence[str]) -> str:
    if len(words) != 3:
        raise ValueError("wrong number of arguments")
    numbers = [strtol(word) for word in words]
    if any(n is None or not -2000 <= n <= 2000 for n in numbers):
        raise ValueError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
    return " ".join(str(n) for n in numbers)


def notify_flags(text: str) -> str | None:
    """Canonical keyspace-event classes (``KEA`` -> ``AKE``), None for a bad letter."""
    chosen: set[str] = set()
    for letter in text:
        if letter == "A":
            chosen |= _NOTIFY_ALL
        elif letter in _NOTIFY or letter in "KEm":
            chosen.add(letter)
        else:
            return None
    body = "A" if chosen >= _NOTIFY_ALL else ""
    body += "".join(c for c in _NOTIFY if c in chosen and not (body and c in _NOTIFY_ALL))
    return body + "".join(c for c in "KEm" if c in chosen)


def _percentiles(words: Sequence[str]) -> str:
    if len(words) == 1 and words[0] == "":
        return ""
    shown: list[str] = []
    for word in words:
        try:
            if word != word.strip() or not word:
                raise ValueError
            value = float(word)
        except ValueError:
            raise ValueError("Invalid latency-tracking-info-percentiles parameters") from None
        if math.isnan(value):
            raise ValueError("Invalid latency-tracking-info-percentiles parameters")
        if not 0.0 <= value <= 100.0:
            raise ValueError(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
            )
        text = f"{value:f}"
        shown.append(text.rstrip("0").rstrip(".") if "." in text else text)
    return " ".join(shown)


def _replicaof(words: Sequence[str]) -> str:
    if len(words) != 2:
        raise ValueError("wrong number of arguments")
    host, port = words
    if host.lower() == "no" and port.lower() == "one":
        return ""
    number = strtol(port)
    if number is None or not 0 <= number <= 65535:
        raise ValueError("Invalid master port")
    return f"{host} {number}"


def _dir(words: Sequence[str], current: str) -> str:
    if len(words) != 1:
        raise ValueError("wrong number of arguments")
    path = os.path.normpath(os.path.join(current, words[0]))
    if not os.path.exists(path):
        raise ValueError(os.strerror(2))
    if not os.path.isdir(path):
        raise ValueError(os.strerror(20))
    if not os.access(path, os.X_OK):
        raise ValueError(os.strerror(13))
    return path


def special(opt: Option, words: Sequence[str], current: str, appending: bool) -> str:
    name = opt.name
    if name == "save":
        return _save(words, current, appending)
    if name == "client-output-buffer-limit":
        return _obuf_limits(words, current)
    if name == "oom-score-adj-values":
        return _oom_values(words)
    if name == "latency-tracking-info-percentiles":
        return _percentiles(words)
    if name == "replicaof":
        return _replicaof(words)
    if name == "dir":
        return _dir(words, current)
    if name == "bind":
        if len(words) > _BIND_MAX:
            raise ValueError("Too many bind addresses specified.")
        return "" if list(words) == [""] else " ".join(words)
    if name == "notify-keyspace-events":
        if len(words) != 1:
            raise ValueError("wrong number of arguments")
        flags = notify_flags(words[0])
        if flags is None:
            raise ValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
        return flags
    raise AssertionError(f"no parser for special option {name}")
