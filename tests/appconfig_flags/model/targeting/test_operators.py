"""Each operator, built and parsed: a context it holds for and one it does not, read as the Agent reads text."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from appconfig_flags.model import FlagValidationError, Rule, ctx
from appconfig_flags.model.targeting import compile_rule

UTC = timezone.utc
SIGNUP = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)

# (rule, text, a context it holds for, a context it does not hold for)
CASES: list[tuple[Rule, str, dict[str, Any], dict[str, Any]]] = [
    (Rule.eq("state", "Virginia"), '(eq $state "Virginia")', {"state": "Virginia"}, {"state": "virginia"}),
    (Rule.eq("age", 65), "(eq $age 65)", {"age": 65}, {"age": 66}),
    (Rule.eq("age", 65), "(eq $age 65)", {"age": "65.0"}, {"age": "sixty-five"}),
    (Rule.eq("beta", False), "(eq $beta false)", {"beta": False}, {"beta": "False"}),
    (Rule.eq("signup", SIGNUP), "(eq $signup 2024-01-15T12:00:00Z)",
     {"signup": datetime(2024, 1, 15, 13, 0, tzinfo=timezone(timedelta(hours=1)))}, {"signup": SIGNUP.replace(hour=13)}),
    (Rule.gt("age", 65), "(gt $age 65)", {"age": "100"}, {"age": 65}),
    (Rule.gte("age", 65), "(gte $age 65)", {"age": 65}, {"age": "64.999"}),
    (Rule.lt("osVersion", Decimal("1.8")), "(lt $osVersion 1.8)", {"osVersion": "1.10"}, {"osVersion": "1.8"}),
    (Rule.lte("score", 1.5), "(lte $score 1.5e0)", {"score": "1.5"}, {"score": 1.51}),
    (Rule.eq("ratio", 0.1), "(eq $ratio 0.1e0)", {"ratio": "0.1"}, {"ratio": "0.10000000000000001"}),
    (Rule.gt("signup", SIGNUP), "(gt $signup 2024-01-15T12:00:00Z)",
     {"signup": "2024-02"}, {"signup": "2024-01-15"}),
    (Rule.begins_with("state", "A"), '(begins_with $state "A")', {"state": "Alabama"}, {"state": "alabama"}),
    (Rule.ends_with("email", "amazon.com"), '(ends_with $email "amazon.com")', {"email": "a@amazon.com"},
     {"email": "a@amazon.co"}),
    (Rule.contains("promoCode", "WIN"), '(contains $promoCode "WIN")', {"promoCode": "BIGWIN24"}, {"promoCode": "win"}),
    (Rule.in_("userId", ["123", "456"]), '(in $userId ["123", "456"])', {"userId": "456"}, {"userId": "789"}),
    (Rule.in_("n", [1, "x", True]), '(in $n [1, "x", true])', {"n": "1.0"}, {"n": "2"}),
    (Rule.matches("greeting", "h.*y"), '(matches in::$greeting pattern::"h.*y")', {"greeting": "oh hey"},
     {"greeting": "hello"}),
    (Rule.exists("country"), '(exists key::"country")', {"country": False}, {"region": "x"}),
    (Rule.split(pct=100, by="userId", seed="s"), '(split pct::100 by::$userId seed::"s")', {"userId": "u1"}, {}),
    (Rule.eq("a", 1) & Rule.eq("b", 2), "(and (eq $a 1) (eq $b 2))", {"a": 1, "b": 2}, {"a": 1, "b": 3}),
    (Rule.eq("a", 1) | Rule.eq("b", 2), "(or (eq $a 1) (eq $b 2))", {"b": 2}, {"a": 2, "b": 1}),
    (Rule.all(Rule.exists("a"), Rule.exists("b"), Rule.exists("c")),
     '(and (exists key::"a") (exists key::"b") (exists key::"c"))', {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1}),
    (Rule.any(Rule.exists("a")), '(or (exists key::"a"))', {"a": 1}, {}),
    (~Rule.eq("state", "Virginia"), '(not (eq $state "Virginia"))', {"state": "Ohio"}, {"state": "Virginia"}),
]


@pytest.mark.parametrize(("rule", "text", "holds", "fails"), CASES, ids=[c[1] for c in CASES])
def test_each_operator_renders_parses_and_evaluates(rule: Rule, text: str, holds: dict[str, Any],
                                                    fails: dict[str, Any]) -> None:
    assert str(rule) == text
    assert Rule.parse(text) == rule
    assert rule.evaluate(holds, flag_key="f") is True
    assert rule.evaluate(fails, flag_key="f") is False


def test_the_split_with_pct_0_never_holds_even_with_the_key() -> None:
    assert Rule.split(pct=0, by="userId", seed="s").evaluate({"userId": "u1"}) is False


@pytest.mark.parametrize("rule", [Rule.eq("a", "x"), Rule.gt("a", 1), Rule.eq("a", True), Rule.in_("a", ["x"]),
                                  Rule.begins_with("a", ""), Rule.matches("a", ""), Rule.split(100, "a", "s"),
                                  Rule.gt("a", SIGNUP)])
def test_a_missing_key_makes_every_test_false_and_its_negation_true(rule: Rule) -> None:
    assert rule.evaluate({"other": "x"}) is False
    assert (~rule).evaluate({"other": "x"}) is True


@pytest.mark.parametrize(("rule", "text"), [
    (Rule.gt("age", 65), "sixty"), (Rule.gt("age", 65), "1e"), (Rule.gt("age", 65), "0x70"), (Rule.eq("flag", True), "yes"),
    (Rule.gt("signup", SIGNUP), "soon"), (Rule.gt("signup", SIGNUP), "2024-13-01"),
])
def test_text_that_does_not_read_as_the_constant_type_makes_the_test_false(rule: Rule, text: str) -> None:
    assert rule.evaluate({"age": text, "flag": text, "signup": text}) is False


def test_non_ascii_digits_are_not_numbers_even_in_text_the_encoder_would_refuse() -> None:
    assert compile_rule(Rule.gt("age", 1))({"age": "\u0663"}) is False


def test_python_comparisons_build_the_same_rules() -> None:
    assert (ctx("tier") == "gold") == Rule.eq("tier", "gold")
    assert (ctx("tier") != "gold") == Rule.not_(Rule.eq("tier", "gold"))
    assert (ctx("age") > 65, ctx("age") >= 65, ctx("age") < 65, ctx("age") <= 65) == (
        Rule.gt("age", 65), Rule.gte("age", 65), Rule.lt("age", 65), Rule.lte("age", 65))
    assert ctx("c").is_in(["US"]) == Rule.in_("c", ["US"])
    assert ctx("u").split(10, seed="s") == Rule.split(10, "u", "s")
    assert ctx("e").matches("^a") == Rule.matches("e", "^a") and ctx("e").exists() == Rule.exists("e")


def test_rules_of_different_constant_types_differ() -> None:
    assert Rule.eq("a", True) != Rule.eq("a", 1)
    assert Rule.eq("a", 1.5) != Rule.eq("a", Decimal("1.5"))
    assert len({Rule.eq("a", 1), Rule.eq("a", 1), Rule.eq("a", 2)}) == 2


def test_an_unseeded_split_needs_the_flag_key_to_evaluate() -> None:
    with pytest.raises(ValueError, match="has no seed"):
        Rule.split(10, "u").evaluate({"u": "x"})
    assert isinstance(Rule.split(10, "u").evaluate({"u": "x"}, flag_key="f"), bool)


@pytest.mark.parametrize(("build", "category", "value"), [
    (lambda: Rule.gt("age", "65"), "type", "65"),
    (lambda: Rule.begins_with("a", 5), "type", 5),
    (lambda: Rule.eq("user-id", 1), "type", "user-id"),
    (lambda: Rule.eq("a", None), "type", None),
    (lambda: Rule.eq("a", datetime(2024, 1, 1)), "type", datetime(2024, 1, 1)),
    (lambda: Rule.eq("a", 2**63), "range", 2**63),
    (lambda: Rule.eq("a", float("nan")), "range", None),
    (lambda: Rule.split(101, "u"), "range", 101),
    (lambda: Rule.split("10", "u"), "type", "10"),
    (lambda: Rule.matches("a", "(b"), "regex", "(b"),
    (lambda: Rule.in_("a", []), "type", []),
    (lambda: Rule.all(), "arity", ()),
    (lambda: Rule.not_("(eq $a 1)"), "type", "(eq $a 1)"),
])
def test_the_builder_refuses_what_the_checker_would(build: Any, category: str, value: Any) -> None:
    with pytest.raises(FlagValidationError) as error:
        build()
    (problem,) = error.value.problems
    assert problem.rule == category
    if value is not None:
        assert problem.value == value


def test_a_float_pct_becomes_its_decimal_text() -> None:
    assert str(Rule.split(12.5, "u", "s")) == '(split pct::12.5 by::$u seed::"s")'
