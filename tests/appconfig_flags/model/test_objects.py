"""Flag objects of the wrong Python type: one FlagValidationError naming flag, rule and value, never a crash."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from appconfig_flags.model import (
    Attribute,
    Constraints,
    Flag,
    FlagValidationError,
    FlagValue,
    Profile,
    ShortTerm,
    Variant,
)
from appconfig_flags.model.problems import NO_VALUE, Problem

from .test_schema import Pair, pair

CURRENCY = Attribute.string("currency", enum=("USD", "BTC"))
DISCOUNT = Attribute.number("discount", minimum=0, maximum=100)
IDS = Attribute.string_array("ids")
END = Attribute.date("end", format="MM/DD/YYYY", end=True)
TODAY = date(2026, 11, 30)
VALID_DOCUMENT = '{"version":"1","flags":{"f":{"name":"F"}},"values":{"f":{"enabled":true}}}'


def _flag(**fields: Any) -> Flag:
    return Flag(**{"key": "f", "attributes": (CURRENCY, DISCOUNT, IDS, END), **fields})


def _profile(*flags: Flag, **options: Any) -> Any:
    return lambda: Profile("P", flags, **{"today": TODAY, **options})


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _cyclic() -> list[Any]:
    items: list[Any] = ["a"]
    items.append(items)
    return items


#: A passing and a failing case for each rule of the type checks and the date checks (test_rules.py collects them).
MODEL_PROBLEMS = [
    pair("enabled", "field-type", _profile(_flag(enabled=True)), _profile(_flag(enabled="true")), "true"),
    pair("bool bound", "field-type", _profile(Flag(key="f", attributes=(Attribute.number("n", minimum=0),))),
         _profile(Flag(key="f", attributes=(Attribute.number("n", minimum=True),))), True),
    pair("name", "field-type", _profile(_flag(name="Name")), _profile(_flag(name=5)), 5),
    pair("single variant", "field-type", _profile(_flag(variants=(Variant(name="D", enabled=True),))),
         _profile(_flag(variants=Variant(name="D", enabled=True))), Variant(name="D", enabled=True)),
    pair("max_content_bytes", "field-type", _profile(_flag(), max_content_bytes=10_000),
         _profile(_flag(), max_content_bytes=True), True),
    pair("today", "field-type", _profile(_flag(), today=date(2026, 1, 1)),
         _profile(_flag(), today=datetime(2026, 1, 1)), datetime(2026, 1, 1)),
    pair("overdue", "field-type", _profile(_flag(), overdue="error"), _profile(_flag(), overdue="fail"), "fail"),
    pair("enum", "bare-string", _profile(Flag(key="f", attributes=(Attribute.string("c", enum=("USD",)),))),
         _profile(Flag(key="f", attributes=(Attribute.string("c", enum="USD"),))), "USD"),  # type: ignore[arg-type]
    pair("environments", "bare-string", _profile(_flag(), environments=("Beta",)),
         _profile(_flag(), environments="Beta"), "Beta"),
    pair("enum", "unordered", _profile(Flag(key="f", attributes=(Attribute.string("c", enum=["USD", "BTC"]),))),
         _profile(Flag(key="f", attributes=(Attribute.string("c", enum={"USD"}),))), {"USD"}),  # type: ignore[arg-type]
    pair("array value", "unordered", _profile(_flag(values={"ids": ["a", "b"]})),
         _profile(_flag(values={"ids": frozenset({"a"})})), frozenset({"a"})),
    pair("text", "nesting-depth", lambda: Profile.from_document("D", VALID_DOCUMENT),
         lambda: Profile.from_document("D", "[" * 100_000 + "]" * 100_000), NO_VALUE),
    pair("data", "nesting-depth", lambda: Profile.from_document("D", json.loads(VALID_DOCUMENT)),
         lambda: Profile.from_document("D", {"version": "1", "values": {"f": {"enabled": True, "a": _nested(40)}}}),
         NO_VALUE),
    pair("format", "date-format", lambda: Attribute.date("d", format="DD.MM.YYYY"),
         lambda: Attribute.date("d", format="MM-DD-YY"), "MM-DD-YY"),
    pair("february", "value-date", _profile(_flag(values={"end": "02/28/2027"})),
         _profile(_flag(values={"end": "02/31/2027"})), "02/31/2027"),
    pair("leap day", "value-date", _profile(_flag(values={"end": "02/29/2028"})),
         _profile(_flag(values={"end": "02/29/2027"})), "02/29/2027"),
]

MODEL_WARNINGS = [
    pair("nested", "pattern-backtracking", _profile(Flag(key="f", attributes=(Attribute.string("s", pattern="^a+$"),)),
                                                    strict=False),
         _profile(Flag(key="f", attributes=(Attribute.string("s", pattern="^(a+)+$"),)), strict=False), "^(a+)+$"),
    pair("end date", "end-date-past", _profile(_flag(values={"end": "11/30/2026"})),
         _profile(_flag(values={"end": "11/29/2026"})), "11/29/2026"),
    pair("remove_by", "short-term-overdue", _profile(_flag(short_term=ShortTerm(remove_by="2026-11-30"))),
         _profile(_flag(short_term=ShortTerm(remove_by="2026-11-29"))), "2026-11-29"),
    pair("override", "retired-environment",
         _profile(_flag(environments={"Beta": FlagValue(enabled=True)}), environments=("Beta",)),
         _profile(_flag(environments={"Beta": FlagValue(enabled=True)}), environments=("Production",),
                  retired_environments=("Beta",)), "Beta"),
]


@pytest.mark.parametrize("case", MODEL_PROBLEMS)
def test_flag_objects_pass_or_break_one_type_or_date_rule(case: Pair) -> None:
    case.good()
    with pytest.raises(FlagValidationError) as error:
        case.bad()
    assert {p.rule for p in error.value.problems} == {case.rule}, str(error.value)
    assert case.value in [p.value for p in error.value.problems]


@pytest.mark.parametrize("case", MODEL_WARNINGS)
def test_flag_objects_pass_or_get_one_model_warning(case: Pair) -> None:
    assert case.rule not in {w.rule for w in case.good().warnings}
    warnings = case.bad().warnings
    assert [w.rule for w in warnings] == [case.rule], warnings
    assert warnings[0].value == case.value


@pytest.mark.parametrize(("value", "type_name"), [
    (Decimal("1.5"), "Decimal"), (date(2026, 1, 1), "date"), (b"USD", "bytes"), (None, "NoneType"),
    ({"a": 1}, "dict"), (1 + 2j, "complex"),
])
def test_a_value_json_cannot_encode_is_an_attribute_value_problem_naming_flag_and_attribute(value: Any, type_name: str) -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute(key="a"),), values={"a": value}),))
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == ("P/f/a", "attribute-value", value)
    assert problem.message.endswith(f"not {type_name}")


@pytest.mark.parametrize("value", [_cyclic(), [Decimal(1)], [["a"]], [None]], ids=["cyclic", "decimal", "nested", "none"])
def test_an_array_with_elements_json_cannot_encode_is_refused(value: list[Any]) -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute(key="a"),), values={"a": value}),))
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/f/a", "attribute-value")]
    assert "array elements are strings or numbers" in str(error.value)


def test_every_type_problem_is_listed_with_its_path_inside_environments_and_variants() -> None:
    flag = Flag(
        key="f", attributes=(DISCOUNT,),
        variants=(Variant(name="A", enabled=True, rule='(eq $tier "gold")', values={"discount": {5}}),
                  Variant(name=None, enabled="yes")),  # type: ignore[arg-type]
        environments={"Beta": FlagValue(variants=(Variant(name="B", enabled=True, values={"discount": b"5"}),)),
                      "Prod": FlagValue(values=[("discount", 5)])},  # type: ignore[arg-type]
    )
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (flag, "not a flag"), environments={"Beta", "Prod"})  # type: ignore[arg-type]
    assert sorted((p.path, p.rule) for p in error.value.problems) == sorted([
        ("P/environments", "unordered"),
        ("P/f/_variants[0]/discount", "unordered"),
        ("P/f/_variants[1]/name", "field-type"),
        ("P/f/_variants[1]/enabled", "field-type"),
        ("P@Beta/f/_variants[0]/discount", "attribute-value"),
        ("P@Prod/f/values", "field-type"),
        ("P", "object-type"),
    ])
    assert str(error.value).startswith("7 problem(s) in profile 'P':")


def test_a_none_where_a_tuple_is_meant_names_the_field() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=None, environments=None),))  # type: ignore[arg-type]
    assert sorted((p.path, p.rule, p.value) for p in error.value.problems) == [
        ("P/f/attributes", "field-type", None), ("P/f/environments", "field-type", None)]
    with pytest.raises(FlagValidationError) as error:
        Profile("P", None)  # type: ignore[arg-type]
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/flags", "field-type")]


def test_a_single_object_where_a_tuple_is_meant_is_refused() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", _flag())  # type: ignore[arg-type]
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/flags", "field-type")]
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=DISCOUNT),))  # type: ignore[arg-type]
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/f/attributes", "field-type")]


def test_a_bare_string_is_never_read_character_by_character() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute.string_array("c", enum="USD"),)),))  # type: ignore[arg-type]
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == ("P/f/c[]/enum", "bare-string", "USD")
    assert "write (x,) for one" in problem.message


def test_lists_and_tuples_render_the_same_document() -> None:
    as_tuples = Profile("P", (Flag(key="f", attributes=(Attribute.string("c", enum=("USD", "BTC")), IDS),
                                   enabled=True, values={"c": "USD", "ids": ("a", "b")}),), environments=("Beta",))
    as_lists = Profile("P", [Flag(key="f", attributes=[Attribute.string("c", enum=["USD", "BTC"]), IDS],
                                  enabled=True, values={"c": "USD", "ids": ["a", "b"]})], environments=["Beta"])
    assert as_lists.render() == as_tuples.render()
    assert json.loads(as_lists.render())["values"]["f"]["ids"] == ["a", "b"]
    assert as_lists.environments == ("Beta",) and isinstance(as_lists.flags, tuple)


def test_a_problem_about_a_value_nested_too_deep_to_write_still_prints() -> None:
    problem = Problem("P/f/a", "attribute-value", "too deep", _nested(100_000))
    assert str(problem).startswith("P/f/a: [attribute-value] too deep (got [[[[")


def test_a_cyclic_document_given_as_data_is_refused_not_looped() -> None:
    values: dict[str, Any] = {}
    values["f"] = values
    with pytest.raises(FlagValidationError) as error:
        Profile.from_document("D", {"version": "1", "values": values})
    assert [p.rule for p in error.value.problems] == ["nesting-depth"]


def test_constraints_built_by_hand_are_checked_too() -> None:
    bad = Attribute(key="a", constraints=Constraints(kind="array", elements=Constraints(
        kind="array", elements=Constraints(kind="string"))))
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(bad,)),))
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/f/a[]/elements", "field-type")]
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute(key="a", constraints={"type": "string"}),)),))  # type: ignore[arg-type]
    assert [(p.path, p.rule) for p in error.value.problems] == [("P/f/a/constraints", "object-type")]
