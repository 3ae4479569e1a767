"""Constraint patterns whose matching time can explode, found before any value is matched.

A backtracking engine (Python's ``re``, ECMAScript's, Java's) can take exponential time on a
pattern such as ``^(a+)+$`` and a value that almost matches, and polynomial time of a high degree
on adjacent quantifiers over the same characters (``\\d*\\d*\\d*x``): one 1,024-character value
then takes minutes to years, and ``cdk synth`` hangs. We refuse such patterns statically, from the
parsed pattern, rather than matching with a time limit: a time limit would make the verdict depend
on the machine's speed, so one synth could pass where another fails.

The analysis is a conservative approximation (it may refuse a pattern that is in fact fast, never
the reverse for the shapes below):

* **nested quantifiers**: a repeated group (``+``, ``*``, ``{2,}``) that holds a quantifier of
  variable count, or alternatives that can start with the same character, can split one text
  into iterations in many ways: exponential. Accepted when each iteration must consume a character
  no inner quantifier can (``^([a-z0-9]+-)*[a-z0-9]+$``: the ``-`` separates the iterations).
* **adjacent quantifiers**: a chain of ``k`` variable quantifiers that can match the same
  characters costs about ``n**k`` steps, one more power when the pattern is not anchored with
  ``^`` (a search tries every start). A degree of 3 or more is refused: at the 1,024 characters a
  value may have, degree 3 is already about a second per value.

Back-references are not analysed. Groups nested more than 50 levels deep are refused unanalysed.
"""
from __future__ import annotations

import importlib
import re
import sys
import warnings
from functools import lru_cache
from typing import Any

# The parser behind ``re`` (a private module; ``sre_parse`` before Python 3.11): the only parser of
# exactly the syntax ``re`` matches with.
_NEW_NAMES = sys.version_info >= (3, 11)
sre: Any = importlib.import_module("re._constants" if _NEW_NAMES else "sre_constants")
sre_parse: Any = importlib.import_module("re._parser" if _NEW_NAMES else "sre_parse")

#: The highest polynomial degree accepted (see the module docstring).
MAX_DEGREE = 2
#: Deeper patterns are refused unanalysed, so that the verdict never depends on the stack in use.
MAX_NESTING = 50
#: A bounded quantifier whose count varies less than this adds no power worth counting (``\\d{1,3}``).
_SMALL_SPAN = 16
_TOP = 0x10FFFF
Intervals = tuple[tuple[int, int], ...]
_ALL: Intervals = ((0, _TOP),)
_NONE: Intervals = ()
_LETTERS: Intervals = ((65, 90), (97, 122))
#: Over-approximations of the character categories (Unicode outside ASCII: anything above 0x7F).
_CATEGORIES: dict[Any, Intervals] = {
    sre.CATEGORY_DIGIT: ((48, 57), (0x80, _TOP)),
    sre.CATEGORY_WORD: ((48, 57), (65, 90), (95, 95), (97, 122), (0x80, _TOP)),
    sre.CATEGORY_SPACE: ((9, 13), (28, 32), (0x80, _TOP)),
    sre.CATEGORY_LINEBREAK: ((10, 10),),
}
_NEGATED_CATEGORIES = {
    sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT,
    sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD,
    sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
    sre.CATEGORY_NOT_LINEBREAK: sre.CATEGORY_LINEBREAK,
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
_POSSESSIVE = getattr(sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)
_BEGINNINGS = (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)


@lru_cache(maxsize=4096)
def backtracking_risk(pattern: str) -> str | None:
    """Why matching ``pattern`` can take exponential or high-polynomial time, or ``None`` when it cannot.

    ``pattern`` must compile with ``re``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # as when compile_pattern compiled it
        parsed = sre_parse.parse(pattern)
    if _depth(parsed) > MAX_NESTING:  # the analysis recurses once per level; re itself takes a few hundred
        return f"groups nested more than {MAX_NESTING} levels deep are not analysed; flatten the pattern"
    return _risk(parsed)


def _depth(parsed: Any) -> int:
    """How deep groups, quantifiers and alternatives nest in ``parsed`` (iteratively: depth is the question)."""
    deepest = 0
    stack = [(parsed, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for op, av in node for child in _children(op, av))
    return deepest


def _risk(parsed: Any) -> str | None:
    flags = parsed.state.flags
    ignore_case = bool(flags & re.IGNORECASE) or _sets_flag(parsed, re.IGNORECASE)
    analysis = _Analysis(ignore_case)
    if analysis.exponential(parsed):
        return ("nested quantifiers: a repeated group holds a quantifier (or alternatives) that can match the "
                "same text in many ways, so matching time can double with each character; rewrite it without "
                "the nesting (e.g. ^(a+)+$ as ^a+$), or separate the iterations by a character the inner "
                "quantifier cannot match")
    anchored = _anchored(parsed) and not (flags & re.MULTILINE or _sets_flag(parsed, re.MULTILINE))
    chain = analysis.degree(parsed)
    degree = chain + (0 if anchored else 1)
    if degree > MAX_DEGREE:
        where = "" if anchored else ", and the pattern is not anchored with ^ (a search tries every start)"
        return (f"matching time can grow as the power {degree} of the value's length: {chain} adjacent "
                f"quantifier(s) can match the same characters{where}; merge them, or anchor the pattern")
    return None


def _sets_flag(parsed: Any, flag: int) -> bool:
    """Whether a group turns ``flag`` on inside the pattern (``(?i:...)``)."""
    for op, av in parsed:
        if op is sre.SUBPATTERN and av[1] & flag:
            return True
        if any(_sets_flag(child, flag) for child in _children(op, av)):
            return True
    return False


def _anchored(parsed: Any) -> bool:
    for op, av in parsed:
        if op is sre.AT:
            return av in _BEGINNINGS
        if op is sre.SUBPATTERN:
            return _anchored(av[3])
        return False
    return False


def _is_variable(op: Any, av: Any) -> bool:
    """A quantifier whose count varies enough to matter (``+``, ``*``, ``{2,40}``), backtracking into it allowed."""
    if op not in _REPEATS:
        return False
    low, high = av[0], av[1]
    return bool(high == sre.MAXREPEAT or high - low >= _SMALL_SPAN or (high >= 2 and high > low))


class _Analysis:
    __slots__ = ("ignore_case",)

    def __init__(self, ignore_case: bool) -> None:
        self.ignore_case = ignore_case

    # -- characters -----------------------------------------------------------------------------
    def chars(self, parsed: Any) -> Intervals:
        """Every character some element of ``parsed`` may consume (an over-approximation)."""
        out: list[tuple[int, int]] = []
        for op, av in parsed:
            out.extend(self.element_chars(op, av))
        return _normal(out)

    def element_chars(self, op: Any, av: Any) -> Intervals:
        if op is sre.LITERAL:
            return self._fold(((av, av),))
        if op is sre.NOT_LITERAL:
            return _complement(self._fold(((av, av),)))
        if op is sre.ANY:
            return _ALL
        if op is sre.IN:
            return self._class(av)
        if op in _REPEATS or op is _POSSESSIVE:
            return self.chars(av[2])
        if op is sre.SUBPATTERN:
            return self.chars(av[3])
        if op is _ATOMIC:
            return self.chars(av)
        if op is sre.BRANCH:
            return _normal([r for item in av[1] for r in self.chars(item)])
        if op is sre.GROUPREF_EXISTS:
            return _normal([r for item in av[1:] if item is not None for r in self.chars(item)])
        if op is sre.GROUPREF:
            return _ALL
        return _NONE  # AT, ASSERT, ASSERT_NOT: zero width

    def _class(self, items: Any) -> Intervals:
        ranges: list[tuple[int, int]] = []
        negate = False
        for op, av in items:
            if op is sre.NEGATE:
                negate = True
            elif op is sre.LITERAL:
                ranges.append((av, av))
            elif op is sre.RANGE:
                ranges.append((av[0], av[1]))
            elif op is sre.CATEGORY:
                if av in _CATEGORIES:
                    ranges.extend(_CATEGORIES[av])
                elif av in _NEGATED_CATEGORIES:
                    ranges.extend(_complement(_CATEGORIES[_NEGATED_CATEGORIES[av]]))
                else:
                    ranges.append((0, _TOP))
            else:
                ranges.append((0, _TOP))
        folded = self._fold(_normal(ranges))
        return _complement(folded) if negate else folded

    def _fold(self, ranges: Intervals) -> Intervals:
        if self.ignore_case and _overlap(ranges, _LETTERS):
            return _normal([*ranges, *_LETTERS])
        return ranges

    def first(self, parsed: Any) -> Intervals:
        """The characters a match of ``parsed`` may start with."""
        out: list[tuple[int, int]] = []
        for op, av in parsed:
            if op is sre.AT or op in (sre.ASSERT, sre.ASSERT_NOT):
                continue
            if op in _REPEATS or op is _POSSESSIVE:
                out.extend(self.first(av[2]))
                if av[0] > 0:
                    return _normal(out)
                continue
            if op is sre.SUBPATTERN:
                out.extend(self.first(av[3]))
                if av[3].getwidth()[0] > 0:
                    return _normal(out)
                continue
            if op is sre.BRANCH:
                out.extend(r for item in av[1] for r in self.first(item))
                if min(item.getwidth()[0] for item in av[1]) > 0:
                    return _normal(out)
                continue
            out.extend(self.element_chars(op, av))
            return _normal(out)
        return _normal(out)

    # -- exponential: nested quantifiers ------------------------------------------------------
    def exponential(self, parsed: Any) -> bool:
        for op, av in parsed:
            if op in _REPEATS and av[1] >= 2 and self._ambiguous_body(av[2]):
                return True
            if any(self.exponential(child) for child in _children(op, av)):
                return True
        return False

    def _ambiguous_body(self, body: Any) -> bool:
        """A repeated body that can match one text in several ways, with nothing to pin each iteration."""
        loose = self._loose_chars(body)
        if loose is None:
            return False
        if not loose:  # alternatives that match the same empty text: nothing can pin an iteration
            return True
        return not any(not _overlap(chars, loose) for chars in self._mandatory(body))

    def _loose_chars(self, parsed: Any) -> Intervals | None:
        """The characters of the variable quantifiers and ambiguous alternatives inside ``parsed``, or None."""
        found: list[tuple[int, int]] = []
        seen = False
        for op, av in parsed:
            if _is_variable(op, av):
                seen = True
                found.extend(self.chars(av[2]))
            elif op is sre.BRANCH and self._branches_overlap(av[1]):
                seen = True
                found.extend(self.element_chars(op, av))
            inner = _children(op, av)
            for child in inner:
                more = self._loose_chars(child)
                if more is not None:
                    seen = True
                    found.extend(more)
        return _normal(found) if seen else None

    def _branches_overlap(self, items: Any) -> bool:
        literal = [_literal_text(item) for item in items]
        if all(text is not None for text in literal):
            texts = [t for t in literal if t is not None]
            return any(a != b and b.startswith(a) or (a == b and i != j)
                       for i, a in enumerate(texts) for j, b in enumerate(texts))
        firsts = [self.first(item) for item in items]
        return any(_overlap(firsts[i], firsts[j]) for i in range(len(firsts)) for j in range(i + 1, len(firsts)))

    def _mandatory(self, parsed: Any) -> list[Intervals]:
        """Character sets of the single characters every match of ``parsed`` must consume, in order."""
        out: list[Intervals] = []
        for op, av in parsed:
            if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
                out.append(self.element_chars(op, av))
            elif op is sre.SUBPATTERN:
                out.extend(self._mandatory(av[3]))
            elif op in _REPEATS and av[0] >= 1 and av[0] == av[1]:
                out.extend(self._mandatory(av[2]))
        return out

    # -- polynomial: chains of adjacent quantifiers ---------------------------------------------
    def degree(self, parsed: Any) -> int:
        """The longest chain of variable quantifiers over overlapping characters, here or nested."""
        best = 0
        chain = 0
        chain_chars: Intervals = _NONE
        for op, av in parsed:
            inner = max((self.degree(child) for child in _children(op, av)), default=0)
            if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                best = max(best, inner + (1 if op is not sre.AT else 0))
                continue
            chars = self.element_chars(op, av)
            variable = _is_variable(op, av) or (op is sre.BRANCH and inner > 0)
            if variable:
                if chain and _overlap(chars, chain_chars):
                    chain += 1
                    chain_chars = _normal([*chain_chars, *chars])
                else:
                    chain, chain_chars = 1, chars
            elif chars and not _overlap(chars, chain_chars):
                nullable = op in _REPEATS and av[0] == 0
                if not nullable:
                    chain, chain_chars = 0, _NONE
            best = max(best, chain, inner)
        return best


def _children(op: Any, av: Any) -> list[Any]:
    if op in _REPEATS or op is _POSSESSIVE:
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[3]]
    if op is _ATOMIC:
        return [av]
    if op is sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is sre.GROUPREF_EXISTS:
        return [item for item in av[1:] if item is not None]
    return []


def _literal_text(parsed: Any) -> str | None:
    chars = []
    for op, av in parsed:
        if op is not sre.LITERAL:
            return None
        chars.append(chr(av))
    return "".join(chars)


def _normal(ranges: Any) -> Intervals:
    """Sorted, merged intervals."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            if high > out[-1][1]:
                out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return tuple(out)


def _complement(ranges: Intervals) -> Intervals:
    out = []
    start = 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= _TOP:
        out.append((start, _TOP))
    return tuple(out)


def _overlap(a: Intervals, b: Intervals) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False
