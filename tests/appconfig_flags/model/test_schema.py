"""AppConfig's rules on document data: for each rule, a document it accepts and one it refuses.

Each failing document breaks exactly one rule, so each test also proves the passing twin is not
refused for some other reason. Warnings (AppConfig's verdict is unknown: we accept) have the same
shape: the failing twin gets the warning and no problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from appconfig_flags.model.problems import NO_VALUE
from appconfig_flags.model.schema import check_document

from .documents import attribute, attributes, doc, numbered_variants, one_flag, variant, variants

KEY_64 = "k" + "x" * 63


@dataclass(frozen=True)
class Pair:
    """A document that passes ``rule`` and its twin that breaks it, with the bad value reported."""

    rule: str
    good: Any
    bad: Any
    value: Any


def pair(label: str, rule: str, good: Any, bad: Any, value: Any) -> Any:
    return pytest.param(Pair(rule, good, bad, value), id=f"{rule}:{label}")


def _string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _number(**extra: Any) -> dict[str, Any]:
    return {"type": "number", **extra}


PROBLEMS = [
    pair("string", "version", doc(), {"version": 1}, 1),
    pair("missing", "version", doc(), {}, NO_VALUE),
    pair("top-level", "unknown-key", doc(), doc(meta={}), "meta"),
    pair("flag", "unknown-key", one_flag({"name": "F"}), one_flag({"title": "F"}), "title"),
    pair("attribute", "unknown-key", attribute(None, description="d"), attribute(None, label="d"), "label"),
    pair("constraints", "unknown-key", attribute(_string()), attribute(_string(minLength=1)), "minLength"),
    pair("deprecation", "unknown-key", one_flag({"_deprecation": {"status": "planned"}}),
         one_flag({"_deprecation": {"status": "planned", "reason": "x"}}), "reason"),
    pair("variant", "unknown-key", variants(variant("D")), variants({**variant("D"), "weight": 1}), "weight"),
    pair("value", "attribute-key", one_flag(None, {"enabled": True}), one_flag(None, {"enabled": True, "Bad": 1}), "Bad"),
    pair("uppercase start", "flag-key", one_flag(key="foo"), one_flag(key="Foo"), "Foo"),
    pair("digit start", "flag-key", one_flag(key="f1"), one_flag(key="1flag"), "1flag"),
    pair("dot", "flag-key", one_flag(key="my_flag-2"), one_flag(key="my.flag"), "my.flag"),
    pair("65 chars", "flag-key", one_flag(key=KEY_64), one_flag(key=KEY_64 + "x"), KEY_64 + "x"),
    pair("non-ASCII digit", "flag-key", one_flag(key="a3"), one_flag(key="a\u0663"), "a\u0663"),
    pair("value only", "flag-key", doc({}, {"ok": {"enabled": True}}), doc({}, {"Ok": {"enabled": True}}), "Ok"),
    pair("pattern", "attribute-key", attribute(None, key="discount"), attribute(None, key="Discount"), "Discount"),
    pair("reserved", "attribute-key", attribute(None, key="enabled_"), attribute(None, key="enabled"), "enabled"),
    pair("line feed", "name", one_flag({"name": "Checkout v2"}), one_flag({"name": "a\nb"}), "a\nb"),
    pair("65 chars", "name", one_flag({"name": "n" * 64}), one_flag({"name": "n" * 65}), "n" * 65),
    pair("empty", "name", one_flag({"name": "n"}), one_flag({"name": ""}), ""),
    pair("variant", "name", variants(variant("n" * 64)), variants(variant("a\nb")), "a\nb"),
    pair("flag", "description", one_flag({"description": "d" * 1024}), one_flag({"description": "d" * 1025}), "d" * 1025),
    pair("attribute", "description", attribute(None, description="d" * 1024), attribute(None, description="d" * 1025),
         "d" * 1025),
    pair("status", "deprecation", one_flag({"_deprecation": {"status": "planned"}}),
         one_flag({"_deprecation": {"status": "done"}}), "done"),
    pair("date format", "deprecation", one_flag({"_deprecation": {"date": "2027-06-30"}}),
         one_flag({"_deprecation": {"date": "2027-6-30"}}), "2027-6-30"),
    pair("calendar date", "deprecation", one_flag({"_deprecation": {"date": "2028-02-29"}}),
         one_flag({"_deprecation": {"date": "2027-02-29"}}), "2027-02-29"),
    pair("definitions", "attributes-max", one_flag({"attributes": attributes(25)}),
         one_flag({"attributes": attributes(26)}), 26),
    pair("basic value", "attributes-max",
         one_flag({"attributes": attributes(25)}, {"enabled": True, **{f"a{i}": 1 for i in range(25)}}),
         one_flag({"attributes": attributes(25)}, {"enabled": True, **{f"a{i}": 1 for i in range(26)}}), 26),
    pair("variant", "attributes-max",
         variants(variant("D", **{f"a{i}": 1 for i in range(25)})),
         variants(variant("D", **{f"a{i}": 1 for i in range(26)})), 26),
    pair("string[]", "constraint-type", attribute({"type": "array", "elements": _string()}),
         attribute({"type": "string[]"}), "string[]"),
    pair("number[]", "constraint-type", attribute({"type": "array", "elements": _number()}),
         attribute({"type": "number[]"}), "number[]"),
    pair("boolean elements", "constraint-type", attribute({"type": "array", "elements": _number()}),
         attribute({"type": "array", "elements": {"type": "boolean"}}), "boolean"),
    pair("missing", "constraint-type", attribute({"type": "boolean"}), attribute({"required": True}), None),
    pair("both", "pattern-and-enum", attribute(_string(pattern="x")), attribute(_string(pattern="x", enum=["x"])),
         ["enum", "pattern", "type"]),
    pair("does not compile", "pattern", attribute(_string(pattern="^(a|b)$")), attribute(_string(pattern="^(a|b$")),
         "^(a|b$"),
    pair("1025 chars", "pattern", attribute(_string(pattern="a" * 1024)), attribute(_string(pattern="a" * 1025)),
         "a" * 1025),
    pair("float entry", "enum", attribute(_string(enum=["a", 5, 2.0])), attribute(_string(enum=["a", 1.5])), 1.5),
    pair("boolean entry", "enum", attribute(_string(enum=["a", 1])), attribute(_string(enum=["a", True])), True),
    pair("101 entries", "enum", attribute(_string(enum=[str(i) for i in range(100)])),
         attribute(_string(enum=[str(i) for i in range(101)])), 101),
    pair("long entry", "enum", attribute(_string(enum=["e" * 1024])), attribute(_string(enum=["e" * 1025])), "e" * 1025),
    pair("float minimum", "bound", attribute(_number(minimum=1, maximum=2.0)), attribute(_number(minimum=1.5)), 1.5),
    pair("string maximum", "bound", attribute(_number(maximum=10)), attribute(_number(maximum="10")), "10"),
    pair("required", "json-type", attribute(_string(required=True), "x"), attribute(_string(required="yes"), "x"), "yes"),
    pair("enum", "json-type", attribute(_string(enum=["a"])), attribute(_string(enum="a")), "a"),
    pair("flags", "json-type", doc({}), doc([]), []),
    pair("flag value", "json-type", one_flag(None, {"enabled": True}), one_flag(None, [True]), [True]),
    pair("metadata", "json-type", one_flag({"_createdAt": "2026-01-01T00:00:00Z"}), one_flag({"_createdAt": 5}), 5),
    pair("_variants", "json-type", variants(variant("D")), one_flag({"name": "F"}, {"_variants": {"name": "D"}}),
         {"name": "D"}),
    pair("enabled string", "enabled", one_flag(None, {"enabled": True}), one_flag(None, {"enabled": "true"}), "true"),
    pair("null", "attribute-value", attribute(None, "x"), attribute(None, None), None),
    pair("object", "attribute-value", attribute(None, 1.5), attribute(None, {"x": 1}), {"x": 1}),
    pair("mixed array", "attribute-value", attribute(None, [1, 2.5]), attribute(None, [1, "x"]), [1, "x"]),
    pair("array of arrays", "attribute-value", attribute(None, ["a"]), attribute(None, [["a"]]), [["a"]]),
    pair("string > 1024", "attribute-value", attribute(None, "s" * 1024), attribute(None, "s" * 1025), "s" * 1025),
    pair("array string > 1024", "attribute-value", attribute(None, ["s" * 1024]), attribute(None, ["s" * 1025]),
         ["s" * 1025]),
    pair("string", "value-type", attribute(_string(), "5"), attribute(_string(), 5), 5),
    pair("number", "value-type", attribute(_number(), 5), attribute(_number(), "5"), "5"),
    pair("boolean", "value-type", attribute({"type": "boolean"}, False), attribute({"type": "boolean"}, "false"), "false"),
    pair("bool is no number", "value-type", attribute(_number(), 1), attribute(_number(), True), True),
    pair("array", "value-type", attribute({"type": "array"}, ["a"]), attribute({"type": "array"}, "a"), "a"),
    pair("array element", "value-type", attribute({"type": "array", "elements": _number()}, [1, 2]),
         attribute({"type": "array", "elements": _number()}, ["1"]), "1"),
    pair("search", "value-pattern", attribute(_string(pattern="[a-z]+"), "ABc"), attribute(_string(pattern="[a-z]+"), "ABC"),
         "ABC"),
    pair("anchored", "value-pattern", attribute(_string(pattern="^[a-z]+$"), "abc"),
         attribute(_string(pattern="^[a-z]+$"), "abc1"), "abc1"),
    pair("array element", "value-pattern", attribute({"type": "array", "elements": _string(pattern="^a")}, ["ab"]),
         attribute({"type": "array", "elements": _string(pattern="^a")}, ["ab", "ba"]), "ba"),
    pair("string entry", "value-enum", attribute(_string(enum=["a", "b"]), "b"), attribute(_string(enum=["a", "b"]), "x"),
         "x"),
    pair("integer entry", "value-enum", attribute(_string(enum=[5, 10]), "5"), attribute(_string(enum=[5, 10]), "6"), "6"),
    pair("array element", "value-enum", attribute({"type": "array", "elements": _string(enum=["a"])}, ["a", "a"]),
         attribute({"type": "array", "elements": _string(enum=["a"])}, ["a", "b"]), "b"),
    pair("minimum", "value-range", attribute(_number(minimum=10), 10), attribute(_number(minimum=10), 7), 7),
    pair("maximum", "value-range", attribute(_number(maximum=50), 50), attribute(_number(maximum=50), 50.5), 50.5),
    pair("array element", "value-range", attribute({"type": "array", "elements": _number(maximum=3)}, [1, 3]),
         attribute({"type": "array", "elements": _number(maximum=3)}, [1, 4]), 4),
    pair("enabled flag", "required", attribute(_string(required=True), "x"), attribute(_string(required=True)), NO_VALUE),
    pair("not when disabled", "required", attribute(_string(required=True), enabled=False),
         attribute(_string(required=True), enabled=True), NO_VALUE),
    pair("enabled variant", "required", variants(variant("D", a="x"), constraints=_string(required=True)),
         variants(variant("D"), constraints=_string(required=True)), NO_VALUE),
    pair("variant missing", "enabled", variants(variant("D")), variants({"name": "D"}), NO_VALUE),
    pair("variant string", "enabled", variants(variant("D", enabled=False)), variants({"name": "D", "enabled": "false"}),
         "false"),
    pair("33 variants", "variants-max", one_flag(None, {"_variants": numbered_variants(32)}),
         one_flag(None, {"_variants": numbered_variants(33)}), 33),
    pair("missing name", "variant-name", variants(variant("D")), variants({"enabled": True}), NO_VALUE),
    pair("duplicate names", "variant-name", variants(variant("A", rule="(eq $x 1)"), variant("B")),
         variants(variant("A", rule="(eq $x 1)"), variant("A")), "A"),
    pair("16385 chars", "variant-rule", variants(variant("A", rule="r" * 16384), variant("D")),
         variants(variant("A", rule="r" * 16385), variant("D")), "r" * 16385),
    pair("not a string", "variant-rule", variants(variant("A", rule="(eq $x 1)"), variant("D")),
         variants({**variant("A"), "rule": 1}, variant("D")), 1),
    pair("default with rule", "default-variant", variants(variant("A", rule="(eq $x 1)"), variant("D")),
         variants(variant("A", rule="(eq $x 1)"), variant("D", rule="(eq $x 2)")), "(eq $x 2)"),
    pair("default not last", "default-variant", variants(variant("A", rule="(eq $x 1)"), variant("D")),
         variants(variant("D"), variant("A", rule="(eq $x 1)")), "D"),
]

WARNINGS = [
    pair("value", "value-without-definition", one_flag(), doc({}, {"f": {"enabled": True}}), "f"),
    pair("definition", "definition-without-value", one_flag(), doc({"f": {}}, {}), "f"),
    pair("basic", "undefined-attribute", attribute(None, 1), one_flag({"name": "F"}, {"enabled": True, "a": 1}), "a"),
    pair("variant", "undefined-attribute", variants(variant("D", a=1)), variants(variant("D", b=1)), "b"),
    pair("basic", "enabled-missing", one_flag(None, {"enabled": False}), one_flag(None, {}), NO_VALUE),
    pair("bounds", "minimum-above-maximum", attribute(_number(minimum=5, maximum=5)), attribute(_number(minimum=6, maximum=5)),
         (6, 5)),
    pair("enum", "empty-enum", attribute(_string(enum=["a"])), attribute(_string(enum=[])), []),
    pair("unicode class", "pattern-dialect", attribute(_string(pattern=r"^\w+$"), "abc"),
         attribute(_string(pattern=r"^\p{L}+$"), "abc"), r"^\p{L}+$"),
    pair("value", "empty-array", attribute({"type": "array"}, ["a"]), attribute({"type": "array"}, []), []),
    pair("list", "empty-variants", variants(variant("D")), one_flag(None, {"_variants": []}), []),
    pair("default", "empty-rule", variants(variant("A", rule="(eq $x 1)"), variant("D")),
         variants(variant("A", rule="(eq $x 1)"), variant("D", rule="")), ""),
    pair("enabled", "variants-with-basic-value", one_flag(None, {"_variants": [variant("D")], "_updatedAt": "x"}),
         one_flag(None, {"enabled": True, "_variants": [variant("D")]}), ["enabled"]),
]


def _check(data: Any) -> tuple[list[Any], list[Any]]:
    return check_document(data, path="Doc")


@pytest.mark.parametrize("case", PROBLEMS + WARNINGS)
def test_the_passing_document_has_no_problem_and_no_such_warning(case: Pair) -> None:
    problems, warnings = _check(case.good)
    assert problems == []
    assert [w for w in warnings if w.rule == case.rule] == []


@pytest.mark.parametrize("case", PROBLEMS)
def test_the_failing_document_breaks_only_its_rule_and_shows_the_bad_value(case: Pair) -> None:
    problems, _ = _check(case.bad)
    assert {p.rule for p in problems} == {case.rule}, [str(p) for p in problems]
    assert case.value in [p.value for p in problems]
    for problem in problems:
        text = str(problem)
        assert text.startswith(("Doc/", "Doc:"))
        assert f"[{case.rule}]" in text
        if problem.value is not NO_VALUE:
            assert "(got " in text


@pytest.mark.parametrize("case", WARNINGS)
def test_a_warning_accepts_the_document_and_says_why(case: Pair) -> None:
    problems, warnings = _check(case.bad)
    assert problems == []
    assert case.value in [w.value for w in warnings if w.rule == case.rule]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    problems, _ = _check(["version", "1"])
    assert [p.rule for p in problems] == ["json-type"]


def test_values_of_a_broken_attribute_are_not_checked_again() -> None:
    problems, warnings = _check(attribute({"type": "string[]"}, 5))
    assert [p.rule for p in problems] == ["constraint-type"]
    assert warnings == []


def test_every_problem_of_a_document_is_reported_together() -> None:
    data = doc(
        {"Bad": {"name": "a\nb"}, "f": {"attributes": {"n": {"constraints": _number(maximum=5)}, "s": {"constraints": _string()}}}},
        {"Bad": {"enabled": "yes"}, "f": {"enabled": True, "n": 6, "s": 1}},
    )
    problems, _ = _check(data)
    assert sorted((p.path, p.rule, p.value) for p in problems) == [
        ("Doc/Bad", "flag-key", "Bad"),
        ("Doc/Bad/enabled", "enabled", "yes"),
        ("Doc/Bad/name", "name", "a\nb"),
        ("Doc/f/n", "value-range", 6),
        ("Doc/f/s", "value-type", 1),
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_numbers_json_cannot_write_are_refused(value: float) -> None:
    problems, _ = _check(attribute(None, value))
    assert [p.rule for p in problems] == ["attribute-value"]
