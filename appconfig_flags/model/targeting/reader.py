"""Rule text to a tree of Ion values, with character offsets: the ``syntax`` category.

A rule is one Amazon Ion s-expression ("Defining rules for multi-variant feature flags"; the
Ion text specification, https://amazon-ion.github.io/ion-docs/docs/spec.html). This reader covers
the part of Ion text the rule language uses: s-expressions, lists, strings (short, long and
concatenated long), symbols (plain, quoted, ``$name``, operator symbols inside s-expressions),
annotations (``name::``), ints (decimal, hex, binary, ``_`` separators), decimals, floats,
timestamps, ``true``/``false``/``null`` and comments. What it cannot read is a ``syntax`` problem;
what it reads but the rule language refuses (``null``, a bare ``-``) is left to :mod:`.checker`.
It replaces the ``amazon-ion`` package, which pulls numpy (about 75 MB) to parse rules.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .timestamps import ION_TIMESTAMP, TIME_WITHOUT_OFFSET, W3C_MONTH, timestamp_from_match

_SPACE = re.compile(r"(?:\s+|//[^\n]*(?:\n|$)|/\*(?:[^*]|\*(?!/))*\*/)*")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_OPERATOR_SYMBOL = re.compile(r"[!#%&*+\-./;<=>?@^`|~]+")
_SHORT_STRING = re.compile(r'"((?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*)"')
_LONG_STRING = re.compile(r"'''((?:[^'\\]|\\[\s\S]|'(?!''))*)'''")
_QUOTED_SYMBOL = re.compile(r"'((?:[^'\\\n\r]|\\[\s\S])*)'")
_ANNOTATION_MARK = re.compile(r"[ \t\r\n]*::")
_NUMBER = re.compile(
    r"-?0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|-?0[bB][01]+(?:_[01]+)*"
    r"|-?(?:0|[1-9][0-9]*(?:_[0-9]+)*)(?:\.(?:[0-9]+(?:_[0-9]+)*)?)?(?:[eEdD][+-]?[0-9]+)?"
)
_SPECIAL_FLOAT = re.compile(r"[+-]inf|nan")
_STOP = frozenset(" \t\r\n\f\v()[]{},\"'/")
_ESCAPES = {"\"": "\"", "'": "'", "\\": "\\", "/": "/", "?": "?", "n": "\n", "t": "\t", "r": "\r", "0": "\0",
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r": "", "\r\n": ""}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\r\n|[\s\S])")


@dataclass(slots=True)
class Node:
    """One Ion value of a rule's text.

    ``kind``: ``sexp``, ``list`` (``value`` is a list of nodes), ``symbol`` (its text), ``string``,
    ``int``, ``decimal``, ``float``, ``timestamp``, ``bool``, ``null``. ``start``/``end`` are
    character offsets; ``annotations`` are (name, offset) pairs.
    """

    kind: str
    value: Any
    start: int
    end: int
    annotations: tuple[tuple[str, int], ...] = ()


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

    return _ESCAPE.sub(one, body)


class _Reader:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
        if self.text.startswith("/*", self.pos):
            raise RuleSyntaxError("unterminated comment", self.pos, "close it with */")

    def values(self, closer: str | None, in_sexp: bool) -> list[Node]:
        """Values up to ``closer`` (``None``: the end of the text), which is consumed."""
        out: list[Node] = []
        text = self.text
        expect_comma = False
        while True:
            self.skip()
            if self.pos >= len(text):
                if closer is None:
                    return out
                raise RuleSyntaxError(f"missing '{closer}'", len(text), f"add '{closer}' to close the opening one")
            char = text[self.pos]
            if closer is not None and char == closer:
                self.pos += 1
                return out
            if char in ")]":
                raise RuleSyntaxError(f"unexpected '{char}'", self.pos, "parentheses and brackets must balance")
            if char == ",":
                if closer != "]" or not expect_comma:
                    raise RuleSyntaxError("unexpected ','", self.pos,
                                          "commas separate list elements only" if closer != "]" else "a value is missing")
                self.pos += 1
                expect_comma = False
                continue
            if closer == "]" and expect_comma:
                raise RuleSyntaxError("list elements need a comma between them", self.pos,
                                      'write ["a", "b"], not ["a" "b"]')
            out.append(self.value(in_sexp))
            expect_comma = True

    def value(self, in_sexp: bool) -> Node:
        annotations: list[tuple[str, int]] = []
        while True:
            start = self.pos
            node = self.atom(in_sexp)
            mark = _ANNOTATION_MARK.match(self.text, self.pos)
            if mark is None:
                break
            if node.kind != "symbol" or node.value in ("true", "false") or _OPERATOR_SYMBOL.fullmatch(node.value):
                raise RuleSyntaxError("only a name can be an annotation", start, "write name::value, e.g. pct::10")
            annotations.append((node.value, start))
            self.pos = mark.end()
            self.skip()
            if self.pos >= len(self.text) or self.text[self.pos] in ")],":
                raise RuleSyntaxError(f"the annotation {node.value}:: has no value", start, f"write {node.value}::value")
        node.annotations = tuple(annotations)
        if annotations:
            node.start = annotations[0][1]
        return node

    def atom(self, in_sexp: bool) -> Node:
        text, start = self.text, self.pos
        char = text[start]
        if char == "(":
            self.pos += 1
            items = self.values(")", True)
            return Node("sexp", items, start, self.pos)
        if char == "[":
            self.pos += 1
            items = self.values("]", False)
            return Node("list", items, start, self.pos)
        if char == "{":
            raise RuleSyntaxError("structs and blobs are not part of the rule language", start)
        if char == '"':
            match = _SHORT_STRING.match(text, start)
            if match is None:
                raise RuleSyntaxError("unterminated string", start, 'close it with " (a line break needs \\n)')
            self.pos = match.end()
            return Node("string", _unescape(match.group(1), start + 1), start, self.pos)
        if text.startswith("'''", start):
            return self.long_string()
        if char == "'":
            match = _QUOTED_SYMBOL.match(text, start)
            if match is None:
                raise RuleSyntaxError("unterminated quoted symbol", start, "strings take double quotes: \"text\"")
            self.pos = match.end()
            return Node("symbol", _unescape(match.group(1), start + 1), start, self.pos)
        if char.isdigit() or (char in "+-" and text[start + 1:start + 2].isdigit()):
            return self.number()
        if (special := _SPECIAL_FLOAT.match(text, start)) is not None and self.stops(special.end()):
            self.pos = special.end()
            return Node("float", float(special.group()), start, self.pos)
        if (ident := _IDENTIFIER.match(text, start)) is not None:
            return self.identifier(ident)
        if in_sexp and (op := _OPERATOR_SYMBOL.match(text, start)) is not None:
            self.pos = op.end()
            return Node("symbol", op.group(), start, self.pos)
        raise RuleSyntaxError(f"unexpected character {char!r}", start)

    def stops(self, end: int) -> bool:
        return end >= len(self.text) or self.text[end] in _STOP

    def long_string(self) -> Node:
        start = self.pos
        parts = []
        while self.text.startswith("'''", self.pos):
            match = _LONG_STRING.match(self.text, self.pos)
            if match is None:
                raise RuleSyntaxError("unterminated long string", self.pos, "close it with '''")
            parts.append(_unescape(match.group(1), self.pos + 3))
            end = self.pos = match.end()
            self.skip()
        self.pos = end  # Adjacent long strings concatenate; the space after the last one is not ours.
        return Node("string", "".join(parts), start, end)

    def identifier(self, match: re.Match[str]) -> Node:
        start, word = match.start(), match.group()
        self.pos = match.end()
        if word in ("true", "false"):
            return Node("bool", word == "true", start, self.pos)
        if word == "null":
            if self.text.startswith(".", self.pos) and (typed := _IDENTIFIER.match(self.text, self.pos + 1)):
                self.pos = typed.end()
            return Node("null", None, start, self.pos)
        if word[0] == "$" and word[1:].isdigit():
            raise RuleSyntaxError(f"{word} is an Ion symbol ID, not a context name", start,
                                  "a context name starts with a letter or '_': $user1")
        return Node("symbol", word, start, self.pos)

    def number(self) -> Node:
        text, start = self.text, self.pos
        if W3C_MONTH.match(text, start):
            raise RuleSyntaxError(f"{text[start:start + 7]} is not an Ion timestamp", start,
                                  f"write {text[start:start + 7]}T for a month, or a full date {text[start:start + 7]}-01")
        if TIME_WITHOUT_OFFSET.match(text, start):
            raise RuleSyntaxError("a timestamp with a time needs an offset", start, "add Z (UTC) or an offset like -08:00")
        stamp = ION_TIMESTAMP.match(text, start)
        if stamp is not None and self.stops(stamp.end()):
            try:
                value = timestamp_from_match(stamp)
            except ValueError as exc:
                raise RuleSyntaxError(f"{stamp.group()} is not a real date and time ({exc})", start) from None
            self.pos = stamp.end()
            return Node("timestamp", value, start, self.pos)
        if text[start] == "+":
            raise RuleSyntaxError("Ion numbers take no '+' sign", start, "write 5, not +5")
        match = _NUMBER.match(text, start)
        if match is None or not self.stops(match.end()):
            end = match.end() if match is not None else start + 1
            raise RuleSyntaxError(f"not a number: {text[start:end + 1]!r}", start,
                                  "ints have no leading zeros; decimals need a digit before '.'")
        self.pos = match.end()
        word = match.group().replace("_", "")
        lower = word.lower()
        if lower.lstrip("-")[:2] in ("0x", "0b"):
            negative = word.startswith("-")
            digits = lower.lstrip("-")
            whole = int(digits[2:], 16 if digits[1] == "x" else 2)
            return Node("int", -whole if negative else whole, start, self.pos)
        if "e" in lower:
            number = float(word)
            return Node("float", number if math.isfinite(number) else math.copysign(math.inf, number), start, self.pos)
        if "d" in lower or "." in word:
            return Node("decimal", Decimal(lower.replace("d", "e")), start, self.pos)
        return Node("int", int(word), start, self.pos)


def read_rule_text(text: str) -> Node:
    """The one s-expression of a rule's text; :class:`RuleSyntaxError` for anything else."""
    reader = _Reader(text)
    values = reader.values(None, False)
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
