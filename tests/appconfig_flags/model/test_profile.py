"""Profiles of flag objects: authoring checks, one error with every problem, per-environment documents."""
from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any

import pytest

from appconfig_flags.model import (
    Attribute,
    Flag,
    FlagValidationError,
    FlagValue,
    Profile,
    ShortTerm,
    Variant,
    retrieval_form,
)
from appconfig_flags.model.document import dump_json
from flags.checkout import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS, NEW_CHECKOUT_LAYOUT
from tests.dated import undated

from .test_schema import Pair, pair

DISCOUNT = Attribute.number("discount", minimum=0, maximum=100)


def _profile(*flags: Flag, **options: Any) -> Callable[[], Profile]:
    return lambda: Profile("P", flags, **options)


def _flag(**fields: Any) -> Flag:
    return Flag(**{"key": "f", "attributes": (DISCOUNT,), **fields})


AUTHORING_PROBLEMS = [
    pair("empty", "profile-name", lambda: Profile("P", ()), lambda: Profile("", ()), ""),
    pair("129 chars", "profile-name", lambda: Profile("p" * 128, ()), lambda: Profile("p" * 129, ()), "p" * 129),
    pair("flags", "object-type", _profile(_flag()), _profile({"key": "f"}), {"key": "f"}),
    pair("attributes", "object-type", _profile(_flag()), _profile(_flag(attributes=("discount",))), "discount"),
    pair("environment value", "object-type", _profile(_flag(environments={"Beta": FlagValue(enabled=True)})),
         _profile(_flag(environments={"Beta": True})), True),
    pair("variants", "object-type", _profile(_flag(variants=(Variant(name="D", enabled=True),))),
         _profile(_flag(variants=({"name": "D", "enabled": True},))), {"name": "D", "enabled": True}),
    pair("flags", "duplicate-key", _profile(_flag(), _flag(key="g")), _profile(_flag(), _flag()), "f"),
    pair("attributes", "duplicate-key", _profile(_flag(attributes=(DISCOUNT, Attribute.boolean("other")))),
         _profile(_flag(attributes=(DISCOUNT, Attribute.boolean("discount")))), "discount"),
    pair("default values", "undeclared-attribute", _profile(_flag(values={"discount": 5})),
         _profile(_flag(values={"discout": 5})), "discout"),
    pair("environment values", "undeclared-attribute",
         _profile(_flag(environments={"Beta": FlagValue(values={"discount": 5})})),
         _profile(_flag(environments={"Beta": FlagValue(values={"discout": 5})})), "discout"),
    pair("variant values", "undeclared-attribute",
         _profile(_flag(variants=(Variant(name="D", enabled=True, values={"discount": 5}),))),
         _profile(_flag(variants=(Variant(name="D", enabled=True, values={"discout": 5}),))), "discout"),
    pair("override", "unknown-environment",
         _profile(_flag(environments={"Beta": FlagValue(enabled=True)}), environments=("Beta",)),
         _profile(_flag(environments={"Btea": FlagValue(enabled=True)}), environments=("Beta",)), "Btea"),
]


@pytest.mark.parametrize("case", AUTHORING_PROBLEMS)
def test_flag_objects_pass_or_break_one_authoring_rule(case: Pair) -> None:
    case.good()
    with pytest.raises(FlagValidationError) as error:
        case.bad()
    assert {p.rule for p in error.value.problems} == {case.rule}, str(error.value)
    assert case.value in [p.value for p in error.value.problems]


def test_every_problem_of_a_profile_is_reported_in_one_error_naming_profile_flag_attribute_rule_and_value() -> None:
    flags = (
        Flag(key="Checkout", name="line\nfeed"),
        Flag(key="banner", attributes=(Attribute.string("colour", enum=("red", "blue")),), enabled=True,
             values={"colour": "green"}, short_term=ShortTerm(remove_by="2027-13-01"),
             environments={"Beta": FlagValue(values={"colour": "pink"}), "Prod": FlagValue(enabled=False)}),
        Flag(key="discount", attributes=(DISCOUNT,), values={"percent": 5}),
        Flag(key="discount", attributes=(DISCOUNT,), values={"discount": 5}),
    )
    with pytest.raises(FlagValidationError) as error:
        Profile("Shop", flags, environments=("Beta", "Production"))
    lines = str(error.value).splitlines()
    assert lines[0] == "8 problem(s) in profile 'Shop':"
    assert sorted(lines[1:]) == sorted([
        "  - Shop/Checkout: [flag-key] a key must start with a lower-case ASCII letter (got 'Checkout')",
        "  - Shop/Checkout/name: [name] a name must not contain a line feed (got 'line\\nfeed')",
        ("  - Shop/banner/_deprecation/date: [deprecation] the date is a calendar date written YYYY-MM-DD"
         " (got '2027-13-01')"),
        "  - Shop/banner/colour: [value-enum] the value is not one of ['red', 'blue'] (got 'green')",
        "  - Shop@Beta/banner/colour: [value-enum] the value is not one of ['red', 'blue'] (got 'pink')",
        "  - Shop@Prod/banner: [unknown-environment] the environments are ['Beta', 'Production'] (got 'Prod')",
        "  - Shop/discount: [duplicate-key] two flags share this key (got 'discount')",
        "  - Shop/discount/percent: [undeclared-attribute] the flag declares only ['discount'] (got 'percent')",
    ])


def test_a_bad_value_in_one_environment_is_reported_with_that_environment() -> None:
    flag = _flag(values={"discount": 5}, environments={"Beta": FlagValue(values={"discount": 150})})
    with pytest.raises(FlagValidationError) as error:
        Profile("Checkout", (flag,))
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == ("Checkout@Beta/f/discount", "value-range", 150)
    assert str(problem) == "Checkout@Beta/f/discount: [value-range] the value is above the maximum 100 (got 150)"


def test_a_problem_of_the_default_document_is_reported_once_not_per_environment() -> None:
    flag = _flag(values={"discount": 150}, environments={"Beta": FlagValue(enabled=True), "Prod": FlagValue()})
    with pytest.raises(FlagValidationError) as error:
        Profile("Checkout", (flag,))
    assert [p.path for p in error.value.problems] == ["Checkout/f/discount"]


def test_a_document_over_the_size_quota_is_refused_and_the_quota_can_be_raised() -> None:
    flags = tuple(Flag(key=f"flag-{i}", description="d" * 1000) for i in range(10))
    with pytest.raises(FlagValidationError) as error:
        Profile("Big", flags, max_content_bytes=10_000)
    assert [(p.rule, p.path) for p in error.value.problems] == [("content-size", "Big")]
    assert len(Profile("Big", flags, max_content_bytes=20_000).render()) > 10_000


def test_a_number_json_cannot_write_is_a_problem_not_a_crash() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (_flag(values={"discount": float("nan")}),))
    assert [p.rule for p in error.value.problems] == ["attribute-value"]


def test_loose_profiles_turn_undeclared_attributes_into_warnings() -> None:
    profile = Profile("P", (_flag(enabled=True, values={"discout": 5}),), strict=False)
    assert [(w.rule, w.value) for w in profile.warnings] == [("undefined-attribute", "discout")]


@pytest.mark.parametrize("attribute", [
    Attribute.number("n", minimum=5, maximum=1),
    Attribute.string("s", enum=()),
])
def test_constraints_no_value_can_meet_are_errors_for_flag_objects_and_warnings_when_loose(attribute: Attribute) -> None:
    rule = "minimum-above-maximum" if attribute.key == "n" else "empty-enum"
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(attribute,)),))
    assert [(p.path, p.rule) for p in error.value.problems] == [(f"P/f/{attribute.key}", rule)]
    loose = Profile("P", (Flag(key="f", attributes=(attribute,)),), strict=False)
    assert [w.rule for w in loose.warnings] == [rule]


def test_checkout_flags_render_per_environment() -> None:
    beta = json.loads(CHECKOUT_FLAGS.render("Beta"))
    production = json.loads(CHECKOUT_FLAGS.render("Production"))
    key = ALLOW_BITCOIN_AT_CHECKOUT.key
    assert beta["values"][key] == {
        "enabled": True, "default-currency": "USD", "bitcoin-discount-percentage": 5,
        "bitcoin-discount-end-date": "12/31/2026",
    }
    # Production's variants replace the flag's basic value there: gold customers only, at 10%.
    assert production["values"][key] == {"_variants": [
        {"name": "gold-tier-discount", "enabled": True, "rule": '(eq $tier "gold")',
         "attributeValues": {"bitcoin-discount-percentage": 10, "bitcoin-discount-end-date": "12/31/2026"}},
        {"name": "everyone-else", "enabled": False},
    ]}
    layout = NEW_CHECKOUT_LAYOUT.key
    assert [v["name"] for v in beta["values"][layout]["_variants"]] == ["compact-layout", "classic-layout"]
    assert production["values"][layout] == {"enabled": False}
    assert beta["flags"] == production["flags"]
    assert beta["flags"][key]["_deprecation"] == {"status": "planned", "date": "2027-06-30"}
    # Without an environment, every flag has its declared default.
    assert json.loads(CHECKOUT_FLAGS.render())["values"] == {
        key: {"enabled": False, "default-currency": "USD", "bitcoin-discount-percentage": 0},
        layout: {"enabled": False}}
    assert undated(CHECKOUT_FLAGS.warnings) == []


@pytest.mark.parametrize("environment", [None, "Beta", "Production", "Unknown"])
def test_the_rendered_text_is_the_compact_json_of_the_document(environment: str | None) -> None:
    assert CHECKOUT_FLAGS.render(environment) == dump_json(CHECKOUT_FLAGS.document(environment))


def test_validation_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    with pytest.raises(FlagValidationError):
        Profile("P", (_flag(values={"discount": -1}),))
    assert gc.isenabled()
    gc.disable()
    try:
        Profile("P", (_flag(),))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_retrieval_form_strips_definitions_and_the_attributes_of_disabled_flags() -> None:
    key, layout = ALLOW_BITCOIN_AT_CHECKOUT.key, NEW_CHECKOUT_LAYOUT.key
    # Production's Bitcoin flag and Beta's layout flag answer with their default variant, which is disabled.
    assert retrieval_form(CHECKOUT_FLAGS, "Production") == {key: {"enabled": False}, layout: {"enabled": False}}
    assert retrieval_form(CHECKOUT_FLAGS, "Beta") == {key: {
        "enabled": True, "default-currency": "USD", "bitcoin-discount-percentage": 5,
        "bitcoin-discount-end-date": "12/31/2026",
    }, layout: {"enabled": False}}


def test_the_retrieval_form_of_a_multi_variant_flag_is_its_default_variant() -> None:
    flag = _flag(variants=(Variant(name="Beta users", enabled=True, rule='(eq $tier "beta")', values={"discount": 9}),
                           Variant(name="Default", enabled=True, values={"discount": 1})))
    assert retrieval_form(Profile("P", (flag,))) == {"f": {"enabled": True, "discount": 1}}


def test_short_term_flags_and_lookup_by_key() -> None:
    assert CHECKOUT_FLAGS.short_term_flags() == (ALLOW_BITCOIN_AT_CHECKOUT, NEW_CHECKOUT_LAYOUT)
    assert CHECKOUT_FLAGS.flag(ALLOW_BITCOIN_AT_CHECKOUT.key) is ALLOW_BITCOIN_AT_CHECKOUT
    with pytest.raises(KeyError, match="has no flag 'nope'"):
        CHECKOUT_FLAGS.flag("nope")
