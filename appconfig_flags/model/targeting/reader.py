"""Rule text to a tree of Ion values, with character offsets: the ``syntax`` category.

A rule is one Amazon Ion s-expression ("Defining rules for multi-variant feature flags"; the
Ion text specification, https://amazon-ion.github.io/ion-docs/docs/spec.html). This reader covers
the part of Ion text the rule language uses: s-expressions, lists, strings (short, long and
concatenated long), symbols (plain, quoted, ``$name``, operator symbols inside s-expressions),
annotations (``name::``), ints (decimal, hex, binary, ``_`` separators), decimals, floats,
timestamps, ``true``/``false``/``null`` and comments. What it cannot read is a ``syntax`` problem;
what it reads but the rule language refuses (``null``, a bare ``-``) is left to :mod:`.checker`.
It replaces the ``amazon-ion`` package, which pulls numpy (about 75 MB) to parse rules.

One regular expression cuts the text into tokens (one C-level match per token) and a stack of
open s-expressions and lists builds the tree, so 1,000 rules read in a few tens of milliseconds.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import cache
from typing import Any

from .timestamps import ION_TIMESTAMP, timestamp_from_match

_STOP = r"""(?=[\s()\[\]{},"'/]|$)"""
_COMMENT = r"//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/"
_LONG = r"'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
#: One token of Ion text. Alternatives are tried in order; the ``bad*``, ``month`` and ``nooffset``
#: ones only name what went wrong.
_TOKEN = re.compile(
    rf"(?:\s|{_COMMENT})*(?:(?P<end>$)"  # Space and comments lead each token: no step of their own.
    r"|(?P<identifier>[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z]+)?)"
    r"|(?P<open>[(\[])|(?P<close>[)\]])|(?P<comma>,)|(?P<annotation>::)"
    r'|(?P<string>"(?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*")'
    rf"|(?P<long>{_LONG}(?:(?:\s|{_COMMENT})*{_LONG})*)"
    r"|(?P<quoted>'(?:[^'\\\n\r]|\\[\s\S])*')"
    r"|(?P<month>\d{4}-\d{2}(?![-\dT]))"
    r"|(?P<nooffset>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\dZ+:.-]))"
    r"|(?P<timestamp>\d{4}(?:T|-\d{2}(?:T|-\d{2}(?:T(?:\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    rf"(?:Z|[+-]\d{{2}}:\d{{2}}))?)?)){_STOP})"
    r"|(?P<number>-?(?:0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*"
    rf"|(?:0|[1-9][0-9]*(?:_[0-9]+)*)(?:\.(?:[0-9]+(?:_[0-9]+)*)?)?(?:[eEdD][+-]?[0-9]+)?){_STOP})"
    rf"|(?P<special>[+-]inf{_STOP})"
    r"|(?P<badnumber>[+-]?\d[\w.:+-]*)"
    r"|(?P<operator>[!#%&*+\-.;<=>?@^`|~]+|/(?![/*]))"
    r"|(?P<badcomment>/\*)|(?P<badstring>'''|[\"'])|(?P<bad>[\s\S]))",
    re.ASCII,  # Ion digits and space are ASCII: Python's \d would read '٣' as 3.
)
_OPERATOR_ONLY = re.compile(r"[!#%&*+\-./;<=>?@^`|~]+")
_KEYWORDS = {"true": True, "false": False}
_SPECIAL_WORDS = frozenset({"true", "false", "null", "nan"})
#: Policy: deeper nesting is refused (no real rule comes near; evaluating and rendering recurse).
MAX_DEPTH = 64
_ESCAPES = {"\"": "\"", "'": "'", "\\": "\\", "/": "/", "?": "?", "n": "\n", "t": "\t", "r": "\r", "0": "\0",
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r": "", "\r\n": ""}


# Long strings and escapes are rare in rules: their patterns compile on first use, not at a service's start-up.
@cache
def _long_part() -> re.Pattern[str]:
    return re.compile(r"'''((?:[^'\\]|\\[\s\S]|'(?!''))*)'''")


@cache
def _escape() -> re.Pattern[str]:
    return re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\r\n|[\s\S])")


class Node:
    """One Ion value of a rule's text.

    ``kind``: ``sexp``, ``list`` (``value`` is a list of nodes), ``symbol`` (its text), ``string``,
    ``int``, ``decimal``, ``float``, ``timestamp``, ``bool``, ``null``. ``start``/``end`` are
    character offsets (``start`` includes the annotations); ``annotations`` are (name, offset) pairs.
    A plain class, not a dataclass: the reader is on a service's start-up path (its catalogue's
    rules are checked), where generating a dataclass's methods costs about 0.4 ms.
    """

    __slots__ = ("annotations", "end", "kind", "start", "value")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(self, kind: str, value: Any, start: int, end: int,
                 annotations: tuple[tuple[str, int], ...] = ()) -> None:
        self.kind, self.value, self.start, self.end, self.annotations = kind, value, start, end, annotations

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node) or other.__class__ is not self.__class__:
            return NotImplemented
        return (self.kind, self.value, self.start, self.end, self.annotations) == \
            (other.kind, other.value, other.start, other.end, other.annotations)

    def __repr__(self) -> str:
        return (f"Node(kind={self.kind!r}, value={self.value!r}, start={self.start!r}, end={self.end!r}, "
                f"annotations={self.annotations!r})")


class RuleSyntaxError(Exception):
    """The text is not one Ion value of the kinds above: where, why, and how to fix it."""

    def __init__(self, reason: str, position: int, hint: str = "") -> None:
        super().__init__(reason)
        self.reason, self.position, self.hint = reason, position, hint


def _unescape(body: str, start: int) -> str:
    if "\\" not in body:
        return body

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] in "xuU" and len(code) > 1:
            point = int(code[1:], 16)
            if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
                raise RuleSyntaxError("an escape names no Unicode character", start + match.start())
            return chr(point)
        raise RuleSyntaxError(f"unknown escape '\\{code}'", start + match.start(),
                              r"Ion escapes are \" \\ \n \t \r \xHH \uHHHH")

    return _escape().sub(one, body)


class _Frame:
    """An open s-expression or list (or the top level, ``closer`` empty) while its values are read."""

    __slots__ = ("annotations", "closer", "comma_due", "items", "start")

    def __init__(self, closer: str, start: int, annotations: list[tuple[str, int]]) -> None:
        self.closer, self.start, self.annotations = closer, start, annotations
        self.items: list[Node] = []
        self.comma_due = False


def _scalar(kind: str, word: str, start: int, end: int) -> Node:
    """The node of a number, timestamp or special-float token."""
    if kind == "timestamp":
        match = ION_TIMESTAMP.fullmatch(word)
        assert match is not None  # The token pattern is the same grammar.
        try:
            return Node("timestamp", timestamp_from_match(match), start, end)
        except ValueError as exc:
            raise RuleSyntaxError(f"{word} is not a real date and time ({exc})", start) from None
    if kind == "special":
        return Node("float", float(word), start, end)
    digits = word.replace("_", "").lower()
    body = digits.lstrip("-")
    if body[:2] in ("0x", "0b"):
        whole = int(body[2:], 16 if body[1] == "x" else 2)
        return Node("int", -whole if digits[0] == "-" else whole, start, end)
    if "e" in body:
        number = float(digits)
        return Node("float", number if math.isfinite(number) else math.copysign(math.inf, number), start, end)
    if "d" in body or "." in body:
        return Node("decimal", Decimal(digits.replace("d", "e")), start, end)
    return Node("int", int(digits), start, end)


def _bad_token(kind: str, word: str, start: int) -> RuleSyntaxError:
    """Why a token the rule language cannot read is wrong, and how to fix it."""
    if kind == "month":
        return RuleSyntaxError(f"{word} is not an Ion timestamp", start,
                               f"write {word}T for a month, or a full date {word}-01")
    if kind == "nooffset":
        return RuleSyntaxError("a timestamp with a time needs an offset", start, "add Z (UTC) or an offset like -08:00")
    if kind == "badnumber":
        if word.startswith("+"):
            return RuleSyntaxError("Ion numbers take no '+' sign", start, "write 5, not +5")
        return RuleSyntaxError(f"not a number: {word!r}", start,
                               "ints have no leading zeros or letters; decimals need a digit before '.'")
    if kind == "badcomment":
        return RuleSyntaxError("unterminated comment", start, "close it with */")
    if kind == "badstring":
        if word == '"':
            return RuleSyntaxError("unterminated string", start, 'close it with " (a line break needs \\n)')
        if word == "'''":
            return RuleSyntaxError("unterminated long string", start, "close it with '''")
        return RuleSyntaxError("unterminated quoted symbol", start, 'strings take double quotes: "text"')
    if word == "{":
        return RuleSyntaxError("structs and blobs are not part of the rule language", start)
    return RuleSyntaxError(f"unexpected character {word!r}", start)


def _identifier(word: str, start: int, end: int) -> Node:
    if word in _KEYWORDS:
        return Node("bool", _KEYWORDS[word], start, end)
    if word == "nan":
        return Node("float", math.nan, start, end)
    if word == "null" or word.startswith("null."):
        return Node("null", None, start, end)
    if "." in word:
        raise RuleSyntaxError(f"unexpected '.' in {word!r}", start + word.index("."),
                              "a name holds letters, digits and '_'")
    if word[0] == "$" and word[1:].isdigit():
        raise RuleSyntaxError(f"{word} is an Ion symbol ID, not a context name", start,
                              "a context name starts with a letter or '_': $user1")
    return Node("symbol", word, start, end)


def _annotations_back(frame: _Frame, text: str, start: int) -> list[tuple[str, int]]:
    """The symbol just read (with its own annotations), taken back as names for the ``::`` at ``start``."""
    last = frame.items[-1] if frame.items else None
    if (last is None or last.kind != "symbol" or text[last.end:start].strip()
            or _OPERATOR_ONLY.fullmatch(last.value)):
        raise RuleSyntaxError("only a name can be an annotation", start, "write name::value, e.g. pct::10")
    frame.items.pop()
    frame.comma_due = False
    return [*last.annotations, (last.value, last.end - len(last.value))]


def read_values(text: str) -> list[Node]:
    """Every top-level Ion value of ``text``; :class:`RuleSyntaxError` at the first thing it cannot read."""
    top = frame = _Frame("", 0, [])
    stack = [top]
    pending: list[tuple[str, int]] = []  # Annotations waiting for their value.
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "end" or kind is None:
            break
        start, end, word = match.start(kind), match.end(), match.group(kind)
        if kind == "identifier":  # The commonest token first.
            if word in _SPECIAL_WORDS or "." in word or (word[0] == "$" and word[1:].isdigit()):
                node = _identifier(word, start, end)
            else:
                node = Node("symbol", word, start, end)
        elif kind == "open":
            if frame.closer == "]" and frame.comma_due:
                raise RuleSyntaxError("list elements need a comma between them", start, 'write ["a", "b"], not ["a" "b"]')
            frame = _Frame(")" if word == "(" else "]", start, pending)
            pending = []
            stack.append(frame)
            if len(stack) > MAX_DEPTH + 1:
                raise RuleSyntaxError(f"expressions nest more than {MAX_DEPTH} deep", start,
                                      "flatten with (and a b c …) or (or a b c …)")
            continue
        elif kind == "comma":
            if frame.closer != "]":
                raise RuleSyntaxError("unexpected ','", start, "commas separate list elements only")
            if not frame.comma_due or pending:
                raise RuleSyntaxError("unexpected ','", start, "a value is missing")
            frame.comma_due = False
            continue
        elif kind == "annotation":
            pending = _annotations_back(frame, text, start)
            continue
        elif kind == "close":
            if word != frame.closer:
                if frame is top:
                    raise RuleSyntaxError(f"unexpected '{word}'", start, "parentheses and brackets must balance")
                opener = "(" if frame.closer == ")" else "["
                raise RuleSyntaxError(f"'{word}' cannot close the '{opener}' at offset {frame.start}", start,
                                      f"close it with '{frame.closer}'")
            if pending:
                raise RuleSyntaxError(f"the annotation {pending[-1][0]}:: has no value", pending[-1][1],
                                      f"write {pending[-1][0]}::value")
            stack.pop()
            closed = frame
            frame = stack[-1]
            node = Node("sexp" if word == ")" else "list", closed.items, closed.start, end)
            pending = closed.annotations
        elif kind == "string":
            node = Node("string", _unescape(word[1:-1], start + 1), start, end)
        elif kind in ("number", "timestamp", "special"):
            node = _scalar(kind, word, start, end)
        elif kind == "long":
            parts = [_unescape(part.group(1), start + part.start(1)) for part in _long_part().finditer(word)]
            node = Node("string", "".join(parts), start, end)
        elif kind == "quoted":
            node = Node("symbol", _unescape(word[1:-1], start + 1), start, end)
        elif kind == "operator" and frame.closer == ")":
            node = Node("symbol", word, start, end)
        else:
            raise _bad_token(kind or "bad", word, start)
        if frame.closer == "]" and frame.comma_due:
            raise RuleSyntaxError("list elements need a comma between them", node.start, 'write ["a", "b"], not ["a" "b"]')
        if pending:
            node.annotations = tuple(pending)
            node.start = pending[0][1]
            pending = []
        frame.items.append(node)
        frame.comma_due = True
    if frame is not top:
        raise RuleSyntaxError(f"missing '{frame.closer}'", len(text), f"add '{frame.closer}' to close the opening one")
    if pending:
        raise RuleSyntaxError(f"the annotation {pending[-1][0]}:: has no value", pending[-1][1],
                              f"write {pending[-1][0]}::value")
    return top.items


def read_rule_text(text: str) -> Node:
    """The one s-expression of a rule's text; :class:`RuleSyntaxError` for anything else."""
    values = read_values(text)
    if not values:
        raise RuleSyntaxError("the rule is empty", 0, 'write one expression, e.g. (eq $tier "gold")')
    if len(values) > 1:
        raise RuleSyntaxError("a rule is exactly one expression", values[1].start,
                              "combine expressions with (and …) or (or …)")
    node = values[0]
    if node.kind != "sexp":
        raise RuleSyntaxError(f"a rule is an expression in parentheses, not a {node.kind}", node.start,
                              'write (op operands…), e.g. (eq $tier "gold")')
    if not node.value:
        raise RuleSyntaxError("an empty expression ()", node.start, 'write (op operands…), e.g. (eq $tier "gold")')
    return node
