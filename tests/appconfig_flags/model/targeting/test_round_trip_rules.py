"""Property tests: any rule object renders to text that parses back to an equal object, and checks clean."""
from __future__ import annotations

import re
from datetime import timedelta, timezone
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from appconfig_flags.model import Rule
from appconfig_flags.model.targeting import check_rule
from appconfig_flags.model.targeting.rule import (
    INT64_MAX,
    INT64_MIN,
    ORDERINGS,
    TEXT_TESTS,
    And,
    Compare,
    Exists,
    In,
    Matches,
    Not,
    Or,
    Split,
)
from tests.property_examples import examples

KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
NUMBERS = st.one_of(
    st.integers(INT64_MIN, INT64_MAX),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)
TIMESTAMPS = st.datetimes(timezones=ZONES)
CONSTANTS = st.one_of(TEXT, NUMBERS, st.booleans(), TIMESTAMPS)
PATTERNS = st.sampled_from(["h.*y", "^[a-z]+$", r"\d{3}-\d{4}", "a|b", "(x)?y", '"quoted"', r"back\\slash", "é+"])
PCTS = st.one_of(st.integers(0, 100), st.decimals(0, 100, places=3))

LEAVES = st.one_of(
    st.builds(Compare, st.just("eq"), KEYS, CONSTANTS),
    st.builds(Compare, st.sampled_from(ORDERINGS), KEYS, st.one_of(NUMBERS, TIMESTAMPS)),
    st.builds(Compare, st.sampled_from(TEXT_TESTS), KEYS, TEXT),
    st.builds(In, KEYS, st.lists(CONSTANTS, min_size=1, max_size=4).map(tuple)),
    st.builds(Matches, KEYS, PATTERNS),
    st.builds(Exists, st.one_of(KEYS, TEXT.filter(bool))),
    st.builds(Split, PCTS, KEYS, st.one_of(st.none(), TEXT)),
)
RULES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.builds(And, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(Or, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(Not, inner),
), max_leaves=8)


@settings(max_examples=examples(400), deadline=None)
@given(RULES)
def test_any_rule_object_renders_to_text_that_parses_back_to_it(rule: Rule) -> None:
    text = str(rule)
    assert Rule.parse(text) == rule
    assert str(Rule.parse(text)) == text


@settings(max_examples=examples(200), deadline=None)
@given(RULES)
def test_the_builder_only_emits_rules_the_checker_passes(rule: Rule) -> None:
    result = check_rule(str(rule))
    assert result.problems == ()


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_keep_their_value_and_stay_decimals(value: Decimal) -> None:
    parsed = Rule.parse(str(Rule.eq("a", value)))
    assert isinstance(parsed, Compare) and type(parsed.constant) is Decimal and parsed.constant == value


GOOD_TEXTS = st.sampled_from([
    '(and (eq $tier "gold") (gt $age 65))', '(split pct::20 by::$userId seed::"s")', "(lt $signup 2024-01T)",
    '(or (in $c ["US", "CA"]) (not (exists key::"beta")))', '(matches in::$g pattern::"^h.*y$")',
    "(eq $x '''a''' '''b''')", "(gte $n -0x1F) // comment", "(eq $d 12.5d-1)",
])


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """A valid rule with a few characters deleted, replaced or inserted."""
    text = draw(GOOD_TEXTS)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        insert = draw(st.sampled_from(['"', "(", ")", "[", "]", ",", "::", "$", " ", "'", "-", "1", "e", "T", "/*", "\\"]))
        cut = draw(st.integers(0, 2))
        text = text[:at] + insert + text[at + cut:]
    return text


ION_ALPHABET = st.text(st.sampled_from(list("()[],:'\"$-+._/*\\ \n0123456789eEdTZabxyz")), max_size=40)


@settings(max_examples=examples(500), deadline=None)
@given(st.one_of(st.text(max_size=60), _mangled(), ION_ALPHABET))
@example("('eq'''$''0'''''')")  # An empty quoted symbol after a context value once raised IndexError.
def test_any_text_gives_a_rule_or_problems_never_an_exception(text: str) -> None:
    result = check_rule(text)
    assert (result.rule is None) == bool(result.problems)
    for problem in result.problems:
        assert 0 <= problem.position <= len(text)
        assert problem.rule in {"syntax", "unknown-operator", "arity", "type", "annotation", "range", "regex"}
    if result.rule is not None:
        assert Rule.parse(str(result.rule)) == result.rule


SENDABLE = st.one_of(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=","), min_size=1, max_size=12),
    st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,5})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["true", "false", "2024-01T", "2024-02-30", "2024-01-15T10:00Z", "9999-12-31T23:59:59.999999-23:59"]),
)


@settings(max_examples=examples(300), deadline=None)
@given(RULES, st.data())
def test_any_rule_evaluates_any_sendable_context_to_a_bool(rule: Rule, data: st.DataObject) -> None:
    keys = sorted(set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", str(rule))))
    context = {key: data.draw(st.one_of(st.none(), SENDABLE)) for key in keys}
    present = {key: value for key, value in context.items() if value is not None}
    assert rule.evaluate(present, flag_key="f") in (True, False)
