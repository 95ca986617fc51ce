"""A complete EDN reader that knows where it is: every value it reads, and every error
it raises, has the line it starts on.

It reads the whole of EDN that Jepsen and Knossos histories use: maps, vectors, lists,
sets ``#{}``, strings (over several lines, with every escape), keywords, symbols,
numbers (``N``, ``M``, ratios, ``##Inf``), characters (``\\a``, ``\\newline``,
``\\u0041``), nil and booleans, tagged literals (``#inst "..."``, ``#jepsen.history.Op{...}``:
the tag is dropped and the value kept), ``#_`` discards, and ``;`` comments anywhere.

Values are plain Python, as ``checkers.history.edn`` describes: keywords and symbols
become strings without the colon, vectors, lists and sets lists (sets sorted when they
can be), maps dicts (a vector key becomes a tuple).

:func:`read_forms` yields the top-level forms with their lines; :func:`read_one` reads a
text that holds exactly one form. Errors are :class:`EdnError` with a line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any, Final

_TOKEN: Final = re.compile(
    r"""(?:[\s,]|;[^\n]*)*(?:
      (?P<open>\#\{|[\[{(])
    | (?P<close>[\]})])
    | "(?P<string>(?:[^"\\]|\\.)*)(?P<quote>"?)
    | (?P<discard>\#_)
    | (?P<special>\#\#[\w-]+)
    | \#(?P<tag>[A-Za-z][\w.*+!?$%&=<>/:-]*)
    | \\(?P<char>u[0-9A-Fa-f]{4}|newline|space|tab|return|formfeed|backspace|.)
    | (?P<atom>[^\s,{}\[\]()"\#;\\][^\s,{}\[\]()";\\]*)
    | (?P<end>\Z)
    | (?P<bad>.)
    )""",
    re.VERBOSE | re.DOTALL,
)
_CLOSER: Final = {"[": "]", "(": ")", "{": "}", "#{": "}"}
_NAMES: Final = {"[": "vector", "(": "list", "{": "map", "#{": "set"}
_CHARS: Final = {
    "newline": "\n",
    "space": " ",
    "tab": "\t",
    "return": "\r",
    "formfeed": "\f",
    "backspace": "\b",
}
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "\\": "\\"}
_SPECIAL: Final = {"##Inf": float("inf"), "##-Inf": float("-inf"), "##NaN": float("nan")}
_INT: Final = re.compile(r"[-+]?\d+N?")
_FLOAT: Final = re.compile(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?M?")
_RATIO: Final = re.compile(r"([-+]?\d+)/(\d+)")


class EdnError(ValueError):
    """Text that is not EDN; ``line`` is where the trouble starts (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


class Reader:
    """A cursor over one EDN text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._starts: list[int] | None = None

    def line_at(self, pos: int) -> int:
        """The 1-based line of position ``pos``."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return bisect_right(self._starts, pos)

    def next_form(self) -> tuple[int, Any] | None:
        """The next form and its line, or None at the end of the text."""
        m = self._token()
        if m.lastgroup == "end":
            return None
        if m.lastgroup == "close":
            raise EdnError(self.line_at(m.start("close")), f"unexpected {m['close']!r}")
        return self.line_at(_start(m)), self._form(m)

    def _token(self) -> re.Match[str]:
        m = _TOKEN.match(self.text, self.pos)
        assert m is not None  # the pattern matches the end and any single character
        self.pos = m.end()
        return m

    def _form(self, m: re.Match[str]) -> Any:
        kind = m.lastgroup
        if kind == "atom":
            return _atom(m["atom"], self.line_at(m.start("atom")))
        if kind == "open":
            return self._collection(m["open"], m.start("open"))
        if kind == "quote":  # a string: its closing quote is the last group matched
            if not m["quote"]:
                raise EdnError(self.line_at(_start(m)), 'string not closed with "')
            return _unescape(m["string"], self.line_at(m.start("string")))
        if kind == "char":
            c = m["char"]
            return chr(int(c[1:], 16)) if len(c) == 5 and c[0] == "u" else _CHARS.get(c, c)
        if kind in {"tag", "discard"}:
            inner = self._token()
            if inner.lastgroup in ("end", "close"):
                what = f"#{m['tag']}" if kind == "tag" else "#_"
                raise EdnError(self.line_at(_start(m)), f"{what} needs a value after it")
            value = self._form(inner)
            if kind == "tag":
                return value
            follow = self._token()  # a discarded form: read the next one instead
            if follow.lastgroup in ("end", "close"):
                self.pos = follow.start(follow.lastgroup or 0)
                return _DISCARDED
            return self._form(follow)
        if kind == "special":
            value = _SPECIAL.get(m["special"])
            if value is None:
                raise EdnError(self.line_at(_start(m)), f"unknown {m['special']}")
            return value
        if kind == "end":
            raise EdnError(self.line_at(_start(m)), "unexpected end of text")
        bad = m["bad"] or m.group()
        raise EdnError(self.line_at(_start(m)), f"unexpected {bad!r}")

    def _collection(self, opener: str, start: int) -> Any:
        closer = _CLOSER[opener]
        items: list[Any] = []
        while True:
            m = self._token()
            if m.lastgroup == "close":
                if m["close"] != closer:
                    raise EdnError(
                        self.line_at(m.start("close")),
                        f"{m['close']!r} closes the {_NAMES[opener]} opened at line "
                        f"{self.line_at(start)}",
                    )
                break
            if m.lastgroup == "end":
                raise EdnError(
                    self.line_at(start),
                    f"{_NAMES[opener]} opened here is not closed with {closer!r}",
                )
            value = self._form(m)
            if value is not _DISCARDED:
                items.append(value)
        if opener == "{":
            if len(items) % 2:
                raise EdnError(self.line_at(start), "map with an odd number of forms")
            return {_key(items[i]): items[i + 1] for i in range(0, len(items), 2)}
        if opener == "#{":
            return _sorted_set(items)
        return items


_DISCARDED: Final[Any] = object()


def _start(m: re.Match[str]) -> int:
    """Where the token of ``m`` starts (after the whitespace and comments before it)."""
    kind = m.lastgroup
    if kind == "quote":
        return m.start("string") - 1
    if kind in {"tag", "char"}:
        return m.start(kind) - 1
    return m.start(kind or 0)


def read_forms(text: str) -> Iterator[tuple[int, Any]]:
    """The top-level forms of ``text`` with the line each starts on. Raises
    :class:`EdnError`."""
    return read_forms_of(Reader(text))


def read_forms_of(reader: Reader) -> Iterator[tuple[int, Any]]:
    """The forms from ``reader``'s position on (see :func:`read_forms`)."""
    while True:
        try:
            form = reader.next_form()
        except RecursionError:
            raise EdnError(reader.line_at(reader.pos), "nested too deeply") from None
        if form is None:
            return
        if form[1] is not _DISCARDED:
            yield form


def read_events(text: str) -> Iterator[tuple[int, Any]]:
    """The items of a history file with their lines: the elements of its one top-level
    vector or list, or else its top-level forms. Raises :class:`EdnError` (also for
    text after the closing bracket)."""
    reader = Reader(text)
    try:
        m = reader._token()
        if m.lastgroup != "open" or m["open"] not in ("[", "("):
            reader.pos = _start(m)
            yield from read_forms_of(reader)
            return
        opener, start = m["open"], m.start("open")
        closer = _CLOSER[opener]
        while True:
            m = reader._token()
            kind = m.lastgroup
            if kind == "close":
                if m["close"] != closer:
                    raise EdnError(
                        reader.line_at(m.start("close")),
                        f"{m['close']!r} closes the {_NAMES[opener]} of events opened at "
                        f"line {reader.line_at(start)}",
                    )
                break
            if kind == "end":
                raise EdnError(
                    reader.line_at(start),
                    f"the {_NAMES[opener]} of events opened here is not closed with {closer!r}",
                )
            line = reader.line_at(_start(m))
            value = reader._form(m)
            if value is not _DISCARDED:
                yield line, value
        rest = reader.next_form()
        if rest is not None:
            raise EdnError(rest[0], f"text after the {closer!r} closing the events")
    except RecursionError:
        raise EdnError(reader.line_at(reader.pos), "nested too deeply") from None


def read_one(text: str) -> Any:
    """The single form in ``text``. Raises :class:`EdnError`."""
    forms = read_forms(text)
    first = next(forms, None)
    if first is None:
        raise EdnError(1, "no value")
    extra = next(forms, None)
    if extra is not None:
        raise EdnError(extra[0], "more than one value")
    return first[1]


def _atom(text: str, line: int) -> Any:
    if text[0] == ":":
        if len(text) == 1:
            raise EdnError(line, "a lone ':' is not a keyword")
        return text[1:]
    if text == "nil":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if text[0].isdigit() or (text[0] in "+-" and text[1:2].isdigit()):
        if _INT.fullmatch(text):
            return int(text.rstrip("N"))
        if _FLOAT.fullmatch(text):
            return float(text.rstrip("M"))
        ratio = _RATIO.fullmatch(text)
        if ratio and int(ratio[2]):
            return int(ratio[1]) / int(ratio[2])
        raise EdnError(line, f"bad number {text!r}")
    return text  # a symbol


def _unescape(body: str, line: int) -> str:
    if "\\" not in body:
        return body

    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] == "u":
            return chr(int(e[1:], 16))
        if e in _ESCAPES:
            return _ESCAPES[e]
        raise EdnError(line, f"bad escape \\{e} in a string")

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)", one, body, flags=re.DOTALL)


def _key(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


def _sorted_set(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return items


def describe(value: Any) -> str:
    """What a form is, in words, for errors: "a keyword :foo", "a vector"."""
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a vector, list or set"
    if value is None:
        return "nil"
    if isinstance(value, str):
        return f"the keyword, symbol or string {value!r}"
    return f"the {type(value).__name__} {value!r}"
