"""Every rule-language category: a profile it accepts and its twin it refuses, and the message each problem reads."""
from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from appconfig_flags.model import Attribute, Flag, FlagValidationError, FlagValue, Profile, Rule, Variant
from appconfig_flags.model.targeting import RuleProblem, check_rule

from ..test_schema import Pair, pair

DISCOUNT = Attribute.number("discount", minimum=0, maximum=100)


def _profile(*rules: str | Rule, context: Any = None) -> Callable[[], Profile]:
    """A profile whose flag ``f`` has one variant per rule (named v0, v1…), then the default."""
    variants = tuple(Variant(name=f"v{i}", enabled=True, rule=rule, values={"discount": 10 + i})
                     for i, rule in enumerate(rules))
    flag = Flag(key="f", attributes=(DISCOUNT,), enabled=None,
                variants=(*variants, Variant(name="Default", enabled=False)))
    return lambda: Profile("P", (flag,), context=context)


CONTEXT = {"tier": str, "age": int, "signup": datetime, "beta": bool, "userId": str}

RULE_PROBLEMS = [
    pair("unbalanced", "syntax", _profile('(eq $tier "gold")'), _profile('(eq $tier "gold"'), '(eq $tier "gold"'),
    pair("W3C month", "syntax", _profile("(gt $signup 2024-01T)"), _profile("(gt $signup 2024-01)"),
         "(gt $signup 2024-01)"),
    pair("upper case", "unknown-operator", _profile("(eq $age 1)"), _profile("(EQ $age 1)"), "(EQ $age 1)"),
    pair("ne", "unknown-operator", _profile("(not (eq $age 1))"), _profile("(ne $age 1)"), "(ne $age 1)"),
    pair("eq with one operand", "arity", _profile("(eq $age 1)"), _profile("(eq $age)"), "(eq $age)"),
    pair("empty and", "arity", _profile("(and (eq $age 1))"), _profile("(and)"), "(and)"),
    pair("constant first", "type", _profile("(gt $age 65)"), _profile("(gt 65 $age)"), "(gt 65 $age)"),
    pair("ordering a string", "type", _profile("(gt $age 65)"), _profile('(gt $age "65")'), '(gt $age "65")'),
    pair("bare symbol", "type", _profile("(eq $user_id 1)"), _profile("(eq $user-id 1)"), "(eq $user-id 1)"),
    pair("no name in split", "annotation", _profile("(split pct::10 by::$userId)"),
         _profile("(split 10 by::$userId)"), "(split 10 by::$userId)"),
    pair("repeated name", "annotation", _profile('(matches in::$tier pattern::"^g")'),
         _profile('(matches in::$tier in::$tier pattern::"^g")'), '(matches in::$tier in::$tier pattern::"^g")'),
    pair("pct above 100", "range", _profile("(split pct::100 by::$userId)"), _profile("(split pct::101 by::$userId)"),
         "(split pct::101 by::$userId)"),
    pair("int beyond 64 bits", "range", _profile(f"(eq $age {2**63 - 1})"), _profile(f"(eq $age {2**63})"),
         f"(eq $age {2**63})"),
    pair("unbalanced group", "regex", _profile('(matches in::$tier pattern::"^(a|b)$")'),
         _profile('(matches in::$tier pattern::"^(a|b$")'), '(matches in::$tier pattern::"^(a|b$")'),
    pair("undeclared key", "context-key", _profile('(eq $tier "gold")', context=CONTEXT),
         _profile('(eq $teir "gold")', context=CONTEXT), '(eq $teir "gold")'),
    pair("bad declaration", "context-key", _profile('(eq $tier "gold")', context={"tier": str}),
         _profile('(eq $tier "gold")', context={"tier": list}), list),
]

RULE_WARNINGS = [
    pair("same split twice", "unreachable-variant",
         _profile('(split pct::20 by::$userId seed::"s")', '(split pct::25 by::$userId seed::"s")'),
         _profile('(split pct::20 by::$userId seed::"s")', '(split pct::20 by::$userId seed::"s")'), "v1"),
    pair("lookaround", "regex-dialect", _profile('(matches in::$tier pattern::"^gold$")'),
         _profile('(matches in::$tier pattern::"^(?!gold)")'), '(matches in::$tier pattern::"^(?!gold)")'),
]


@pytest.mark.parametrize("case", RULE_PROBLEMS)
def test_a_profile_passes_or_breaks_one_rule_category(case: Pair) -> None:
    assert case.good().warnings == ()
    with pytest.raises(FlagValidationError) as error:
        case.bad()
    assert {p.rule for p in error.value.problems} == {case.rule}, str(error.value)
    assert case.value in [p.value for p in error.value.problems]


@pytest.mark.parametrize("case", RULE_WARNINGS)
def test_a_rule_warning_accepts_the_profile_and_says_why(case: Pair) -> None:
    assert [w for w in case.good().warnings if w.rule == case.rule] == []
    warnings = case.bad().warnings
    assert case.value in [w.value for w in warnings if w.rule == case.rule], [str(w) for w in warnings]


def test_a_pattern_python_may_read_differently_one_day_is_checked_without_a_warning_printed() -> None:
    # "[[" makes Python's re warn (FutureWarning: possible nested set): about Python, not the rule.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = check_rule('(matches in::$country pattern::"[[a-z]")')
    assert (check.problems, check.warnings) == ((), ())


@pytest.mark.parametrize(("text", "category", "position", "message"), [
    ("", "syntax", 0, 'the rule is empty (at offset 0); write one expression, e.g. (eq $tier "gold")'),
    ('(eq $a "x"', "syntax", 10, "missing ')' (at offset 10); add ')' to close the opening one"),
    ('(eq $a "x))', "syntax", 7, "unterminated string (at offset 7: '\"x))'); close it with \" (a line break needs \\n)"),
    ("(eq $a 1) (eq $b 2)", "syntax", 10,
     "a rule is exactly one expression (at offset 10: '(eq $b 2)'); combine expressions with (and …) or (or …)"),
    ('["a"]', "syntax", 0, "a rule is an expression in parentheses, not a list"),
    ("()", "syntax", 0, "an empty expression ()"),
    ("(eq $123 1)", "syntax", 4, "$123 is an Ion symbol ID, not a context name"),
    ("(gt $d 2024-01)", "syntax", 7, "2024-01 is not an Ion timestamp (at offset 7: '2024-01)'); write 2024-01T for a month"),
    ("(gt $d 2024-01-02T10:00)", "syntax", 7, "a timestamp with a time needs an offset"),
    ('(in $a ["x" "y"])', "syntax", 12, 'list elements need a comma between them (at offset 12: \'"y"])\'); write ["a", "b"]'),
    ("(EQ $a 1)", "unknown-operator", 1, "unknown operator 'EQ' (at offset 1: 'EQ $a 1)'); operators are lower case: eq"),
    ("(ne $a 1)", "unknown-operator", 1, "unknown operator 'ne' (at offset 1: 'ne $a 1)'); write (not (eq $key value))"),
    ("(begins $a \"x\")", "unknown-operator", 1, "write begins_with"),
    ("(eqq $a 1)", "unknown-operator", 1, "did you mean eq?"),
    ("(gt $a 1 2)", "arity", 0, "gt takes exactly 2 operands (a context value, then a constant), got 3"),
    ("(not (eq $a 1) (eq $b 1))", "arity", 0, "not takes exactly 1 operand, got 2"),
    ("(or)", "arity", 0, "or takes one or more operands, got 0"),
    ("(gt 65 $age)", "type", 4, ("gt takes the context value first and the constant second (at offset 4: '65 $age)'); "
                                "write (gt $age 65)")),
    ('(gt $a "x")', "type", 7, "gt compares with a number or a timestamp, not a string"),
    ("(begins_with $a 5)", "type", 16, ('begins_with compares with a string, not an integer (at offset 16: \'5)\'); '
                                       'write (begins_with $a "5")')),
    ("(in $a \"x\")", "type", 7, "in takes a list of constants [a, b], not a string"),
    ("(eq $a null)", "type", 7, "null is not a constant of the rule language"),
    ("(eq $a $b)", "type", 7, "eq compares a context value with a constant, not with another context value"),
    ("(and (eq $a 1) true)", "type", 15, "an operand of a logical operator is an expression, not a boolean"),
    ("(eq $user-id 1)", "type", 4, "$user-… is not one context name"),
    ("(split pct::10 by::\"userId\")", "type", 15, "by:: of split is a context value ($name), not a string"),
    ("(split pct::1.5e1 by::$u)", "type", 7, "pct:: is an int or a decimal, not a float"),
    ("(exists key::$country)", "type", 8, ('key:: is a string naming the context key, not a context value '
                                          '(at offset 8: \'key::$country)\'); write key::"country"')),
    ("(split pct::10 by::$u seed::42)", "type", 22, 'seed:: is a string, not an integer'),
    ("(split pct::10)", "annotation", 0, "split needs by::"),
    ("(split pct::10 by::$u salt::\"s\")", "annotation", 22, "split takes no salt:: (it takes pct::, by::, seed::)"),
    ("(split pct::10 pct::20 by::$u)", "annotation", 15, "pct:: is given twice"),
    ("(eq pct::$a 1)", "annotation", 4, "eq takes no named operands (pct::)"),
    ("(exists key::a::\"k\")", "annotation", 13, "an operand has one name"),
    ("(matches $a pattern::\"x\")", "annotation", 9, "matches takes named operands only (in::, pattern::)"),
    ("(split pct::-1 by::$u)", "range", 7, "pct:: is a percentage from 0 to 100, got -1"),
    ("(split pct::100.5 by::$u)", "range", 7, "pct:: is a percentage from 0 to 100, got 100.5"),
    (f"(eq $a {-(2**63) - 1})", "range", 7, "an integer constant is 64-bit"),
    ("(lt $a +inf)", "range", 7, "a number constant is finite (no nan or inf)"),
    ('(matches in::$a pattern::"[a-")', "regex", 16, "the pattern does not compile: unterminated character set"),
])
def test_each_problem_names_its_category_offset_and_hint(text: str, category: str, position: int, message: str) -> None:
    result = check_rule(text, path="P@Production/f/_variants/gold")
    assert result.rule is None
    (problem,) = result.problems
    assert isinstance(problem, RuleProblem)
    assert (problem.rule, problem.position, problem.value, problem.path) == (
        category, position, text, "P@Production/f/_variants/gold")
    assert message in problem.message
    assert problem.hint in problem.message
    assert str(problem).startswith(f"P@Production/f/_variants/gold: [{category}] ")


def test_parse_raises_the_model_error_with_every_problem() -> None:
    with pytest.raises(FlagValidationError) as error:
        Rule.parse('(and (EQ $a 1) (gt $b "x") (split pct::200 by::$u))')
    assert [(p.rule, p.position) for p in error.value.problems] == [  # type: ignore[attr-defined]
        ("unknown-operator", 6), ("type", 22), ("range", 34)]
    assert str(error.value).startswith("3 problem(s) in rule '(and (EQ $a 1)")


@pytest.mark.parametrize(("text", "message"), [
    ('(eq $age "x")', "$age is declared number, but eq compares it with a string"),
    ("(eq $tier 1)", "$tier is declared string, but eq compares it with a number"),
    ('(in $age [1, "2"])', "$age is declared number, but in compares it with a string"),
    ("(gt $signup 5)", "$signup is declared timestamp, but gt compares it with a number"),
    ('(begins_with $age "1")', "$age is declared number, but begins_with compares it with a string"),
    ('(matches in::$age pattern::"1")', "matches reads text, but $age is declared number"),
    ('(eq $beta "true")', "$beta is declared boolean, but eq compares it with a string"),
])
def test_a_declared_key_compared_with_another_type_is_a_type_error(text: str, message: str) -> None:
    (problem,) = check_rule(text, context=CONTEXT).problems
    assert problem.rule == "type" and message in problem.message, problem.message


@pytest.mark.parametrize("text", ['(exists key::"tiers")', "(split pct::5 by::$user)", '(matches in::$tir pattern::"a")'])
def test_every_way_to_name_a_key_is_checked_against_the_declaration(text: str) -> None:
    (problem,) = check_rule(text, context=CONTEXT).problems
    assert problem.rule == "context-key"
    assert "is not a declared context key" in problem.message


def test_an_undeclared_key_suggests_the_declared_one() -> None:
    (problem,) = check_rule('(eq $teir "gold")', context=CONTEXT).problems
    assert problem.message.endswith("did you mean tier?")


def test_without_a_declaration_any_key_and_type_is_accepted() -> None:
    assert check_rule('(and (eq $anything "x") (gt $other 2024-01-01T00:00Z))').problems == ()


def test_a_bad_rule_in_one_environment_is_reported_with_profile_environment_flag_variant_and_category() -> None:
    good = (Variant(name="gold", enabled=True, rule='(eq $tier "gold")', values={"discount": 10}),
            Variant(name="Default", enabled=False))
    bad = (Variant(name="gold", enabled=True, rule='(eq $tier "gold"', values={"discount": 10}),
           Variant(name="Default", enabled=False))
    flag = Flag(key="bitcoin", attributes=(DISCOUNT,), enabled=None, variants=good,
                environments={"Production": FlagValue(variants=bad)})
    with pytest.raises(FlagValidationError) as error:
        Profile("CheckoutFlags", (flag,), environments=("Beta", "Production"))
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == (
        "CheckoutFlags@Production/bitcoin/_variants/gold", "syntax", '(eq $tier "gold"')
    assert str(problem) == ("CheckoutFlags@Production/bitcoin/_variants/gold: [syntax] missing ')' (at offset 16); "
                            "add ')' to close the opening one (got '(eq $tier \"gold\"')")


def test_every_rule_problem_of_every_environment_is_reported_at_once() -> None:
    flag = Flag(key="f", attributes=(DISCOUNT,), enabled=None,
                variants=(Variant(name="a", enabled=True, rule="(eq $tier 1)"), Variant(name="D", enabled=False)),
                environments={"Beta": FlagValue(variants=(Variant(name="b", enabled=True, rule="(foo $x 1)"),
                                                          Variant(name="c", enabled=True, rule="(split pct::101 by::$x)"),
                                                          Variant(name="D", enabled=False)))})
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (flag,), context={"tier": str, "x": str})
    assert sorted((p.path, p.rule) for p in error.value.problems) == [
        ("P/f/_variants/a", "type"), ("P@Beta/f/_variants/b", "unknown-operator"), ("P@Beta/f/_variants/c", "range")]


def test_a_context_declaration_with_a_bad_key_is_refused_with_its_path() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (), context={"user-id": str, "age": "int"})
    assert [(p.path, p.rule, p.value) for p in error.value.problems] == [
        ("P/context/user-id", "context-key", "user-id"), ("P/context/age", "context-key", "int")]


def test_a_rule_object_is_checked_against_the_declaration_too() -> None:
    with pytest.raises(FlagValidationError) as error:
        _profile(Rule.eq("tier", 5), context=CONTEXT)()
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == ("P/f/_variants/v0", "type", "(eq $tier 5)")


def test_nesting_deeper_than_the_policy_allows_is_a_syntax_problem() -> None:
    deep = "(not " * 65 + "(exists key::\"a\")" + ")" * 65
    (problem,) = check_rule(deep).problems
    assert (problem.rule, problem.position) == ("syntax", 320)
    assert "nest more than 64 deep" in problem.message
    assert check_rule("(not " * 63 + "(exists key::\"a\")" + ")" * 63).problems == ()


def test_a_string_constant_that_is_not_unicode_text_is_a_problem_not_a_crash() -> None:
    (problem,) = check_rule('(eq $a "\\ud800")').problems
    assert problem.rule == "syntax" and "no Unicode character" in problem.message
    (problem,) = check_rule('(eq $a "\ud800")').problems
    assert problem.rule == "type" and "valid Unicode" in problem.message


@pytest.mark.parametrize("text", ["(gt $d \u0662\u0660\u0662\u0664-01-01)", "(eq $a \u0663)", "(eq $a 1\u00a0)"])
def test_digits_and_space_are_ascii_as_in_ion(text: str) -> None:
    (problem,) = check_rule(text).problems
    assert problem.rule == "syntax"
