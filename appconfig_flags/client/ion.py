"""The Ion retrieval format of a feature-flag profile with variants: written for Agent files, read back.

AppConfig serves a profile that holds a multi-variant flag as Amazon Ion, and AppConfig Agent's
local development mode reads the same text from a file named
``<app>:<env>:<profile>.application%ion%type=AWS.AppConfig.FeatureFlags`` ("Feature flag samples for
AWS AppConfig Agent local development mode",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-agent-how-to-use-local-development-samples.html):
a stream of top-level values, each annotated with its flag key::

    $ion_1_0
    'basic-flag'::'''{"enabled":true,"color":"orange"}'''
    'multi-variant-flag'::[
      [(eq $tier "gold"), '''{"_variant":"gold","enabled":true,"discount":10}'''],
      '''{"_variant":"standard","enabled":true,"discount":5}'''
    ]

A basic flag is a string holding its retrieval JSON; a multi-variant flag is a list of
``[rule, json]`` pairs in order, then the default variant's JSON (each JSON the Agent's answer,
``_variant`` included). This module writes that text and reads it back; the reader knows only this
layout (a rule's s-expression is kept as text, for the rule parser). It replaces the
``amazon-ion`` package, which pulls numpy.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The Ion version marker that starts the stream.
ION_VERSION_MARKER = "$ion_1_0"
#: The suffix the Agent reads as ``application/ion;type=AWS.AppConfig.FeatureFlags``.
ION_FILE_SUFFIX = ".application%ion%type=AWS.AppConfig.FeatureFlags"


@dataclass(frozen=True, slots=True)
class IonFlag:
    """One flag of the stream: ``answer`` for a basic flag; ``variants`` ((rule text, answer)...) then ``answer`` as default."""

    key: str
    answer: Mapping[str, Any]
    variants: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    @property
    def multi_variant(self) -> bool:
        return bool(self.variants) or "_variant" in self.answer


class IonFormatError(ValueError):
    """The text is not the retrieval format: what is wrong and where (line and column)."""


# -- writing --------------------------------------------------------------------------------------
def _long_string(text: str) -> str:
    # Only a backslash and a quote can end or alter a long string; JSON text has no raw control characters.
    return "'''" + text.replace("\\", "\\\\").replace("'", "\\'") + "'''"


def _symbol(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _json(answer: Mapping[str, Any]) -> str:
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=True)


def write_ion(flags: Iterable[IonFlag]) -> str:
    """The Ion text of ``flags``: one annotated value per flag, after ``$ion_1_0``."""
    lines = [ION_VERSION_MARKER]
    for flag in flags:
        if not flag.multi_variant:
            lines.append(f"{_symbol(flag.key)}::{_long_string(_json(flag.answer))}")
            continue
        lines.append(f"{_symbol(flag.key)}::[")
        for rule, answer in flag.variants:
            lines.append(f"  [{rule}, {_long_string(_json(answer))}],")
        lines.append(f"  {_long_string(_json(flag.answer))}")
        lines.append("]")
    return "\n".join(lines) + "\n"


# -- reading --------------------------------------------------------------------------------------
_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"\"": "\"", "'": "'", "\\": "\\", "/": "/", "?": "?", "n": "\n", "t": "\t", "r": "\r",
                   "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r": "", "\r\n": ""}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def fail(self, message: str, at: int | None = None) -> IonFormatError:
        at = self.pos if at is None else at
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return IonFormatError(f"line {line}, column {column}: {message}")

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def unescape(self, body: str, start: int) -> str:
        def one(match: re.Match[str]) -> str:
            code = match.group(1)
            if code in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[code]
            if code[0] in "xuU" and len(code) > 1:
                return chr(int(code[1:], 16))
            raise self.fail(f"unknown escape \\{code}", start + match.start())

        return _ESCAPE.sub(one, body) if "\\" in body else body

    def symbol_or_annotation(self) -> tuple[str, bool]:
        """A symbol (plain or quoted); whether ``::`` follows it (an annotation)."""
        start = self.pos
        if self.text.startswith("'", start) and not self.text.startswith("'''", start):
            end = start + 1
            while end < len(self.text) and self.text[end] != "'":
                end += 2 if self.text[end] == "\\" else 1
            if end >= len(self.text):
                raise self.fail("unterminated quoted symbol", start)
            name = self.unescape(self.text[start + 1:end], start + 1)
            self.pos = end + 1
        else:
            match = _IDENTIFIER.match(self.text, start)
            if match is None:
                raise self.fail("expected a flag key annotation such as 'my-flag'::")
            name, self.pos = match.group(), match.end()
        self.skip()
        if self.text.startswith("::", self.pos):
            self.pos += 2
            return name, True
        return name, False

    def string(self) -> str:
        """A short string, or adjacent long strings (concatenated)."""
        self.skip()
        start = self.pos
        if self.text.startswith("'''", start):
            parts = []
            while self.text.startswith("'''", self.pos):
                begin = self.pos + 3
                end = begin
                while not self.text.startswith("'''", end):
                    if end >= len(self.text):
                        raise self.fail("unterminated long string", self.pos)
                    end += 2 if self.text[end] == "\\" else 1
                parts.append(self.unescape(self.text[begin:end], begin))
                self.pos = end + 3
                self.skip()
            return "".join(parts)
        if self.text.startswith('"', start):
            end = start + 1
            while end < len(self.text) and self.text[end] not in '"\n':
                end += 2 if self.text[end] == "\\" else 1
            if end >= len(self.text) or self.text[end] != '"':
                raise self.fail("unterminated string", start)
            self.pos = end + 1
            return self.unescape(self.text[start + 1:end], start + 1)
        raise self.fail("expected a string holding the flag's JSON")

    def sexp_text(self) -> str:
        """The text of one s-expression, from ``(`` to its matching ``)``; strings and comments skipped."""
        self.skip()
        start = self.pos
        if not self.text.startswith("(", start):
            raise self.fail("expected a rule: an s-expression such as (eq $tier \"gold\")")
        depth, pos, text = 0, start, self.text
        while pos < len(text):
            char = text[pos]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    self.pos = pos + 1
                    return text[start:self.pos]
            elif char in "\"'":
                quote = "'''" if text.startswith("'''", pos) else char
                pos += len(quote)
                while pos < len(text) and not text.startswith(quote, pos):
                    pos += 2 if text[pos] == "\\" else 1
                pos += len(quote) - 1
            elif text.startswith("//", pos) or text.startswith("/*", pos):
                self.pos = pos
                self.skip()
                pos = self.pos - 1
            pos += 1
        raise self.fail("unbalanced parentheses in a rule", start)

    def answer(self) -> dict[str, Any]:
        start = self.pos
        text = self.string()
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self.fail(f"the string is not JSON ({exc})", start) from None
        if not isinstance(data, dict):
            raise self.fail(f"the JSON is a {type(data).__name__}, not an object", start)
        return data

    def flag(self, key: str) -> IonFlag:
        if self.peek() != "[":
            return IonFlag(key, self.answer())
        self.pos += 1
        variants: list[tuple[str, Mapping[str, Any]]] = []
        while True:
            if self.peek() == "[":
                self.pos += 1
                rule = self.sexp_text()
                self.expect(",")
                answer = self.answer()
                self.expect("]")
                variants.append((rule, answer))
                self.expect(",")
                continue
            default = self.answer()
            if self.peek() == ",":
                self.pos += 1
            self.expect("]")
            return IonFlag(key, default, tuple(variants))


def read_ion(text: str) -> list[IonFlag]:
    """The flags of an Ion retrieval-format text; :class:`IonFormatError` naming the line for anything else."""
    reader = _Reader(text)
    flags: list[IonFlag] = []
    seen: set[str] = set()
    while not reader.at_end():
        start = reader.pos
        name, annotated = reader.symbol_or_annotation()
        if not annotated:
            if name == ION_VERSION_MARKER:
                continue
            raise reader.fail(f"{name!r} has no '::': each value is annotated with its flag key", start)
        if name in seen:
            raise reader.fail(f"flag {name!r} appears twice", start)
        seen.add(name)
        flags.append(reader.flag(name))
    return flags
