"""Loading existing documents: from_document gives flag objects that render the same JSON data."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appconfig_flags.model import FlagValidationError, Profile
from appconfig_flags.model.schema import check_document
from tests.property_examples import examples

#: The spec's §11.1 valid examples (basic, then multi-variant).
SPEC_BASIC = """
{
  "version": "1",
  "flags": {
    "checkout_v2": {
      "name": "Checkout v2",
      "description": "New checkout flow",
      "_deprecation": {"status": "planned", "date": "2027-06-30"},
      "attributes": {
        "max_items":  {"constraints": {"type": "number", "minimum": 1, "maximum": 50, "required": true}},
        "theme":      {"constraints": {"type": "string", "enum": ["light", "dark"]}},
        "regions":    {"constraints": {"type": "array", "elements": {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"}}},
        "beta":       {"constraints": {"type": "boolean"}}
      }
    },
    "kill_switch": {"name": "Kill switch"}
  },
  "values": {
    "checkout_v2": {"enabled": true, "max_items": 10, "theme": "dark", "regions": ["eu-west-1"], "beta": false},
    "kill_switch": {"enabled": false}
  }
}
"""
SPEC_MULTI_VARIANT = r"""
{
  "version": "1",
  "flags": {"ui_refresh": {"name": "UI Refresh",
    "attributes": {"dark_mode": {"constraints": {"type": "boolean"}}}}},
  "values": {"ui_refresh": {"_variants": [
    {"name": "QA", "enabled": true, "rule": "(ends_with $email \"@qa.example.com\")", "attributeValues": {"dark_mode": true}},
    {"name": "Sample", "enabled": true, "rule": "(split pct::10 by::$email seed::\"ui-2026\")", "attributeValues": {"dark_mode": false}},
    {"name": "Default", "enabled": false}
  ]}}
}
"""


@pytest.mark.parametrize("text", [SPEC_BASIC, SPEC_MULTI_VARIANT], ids=["basic", "multi-variant"])
def test_the_spec_examples_load_and_render_back_to_the_same_data(text: str) -> None:
    profile = Profile.from_document("Spec", text, today=date(2026, 11, 30))  # before the _deprecation date
    assert json.loads(profile.render()) == json.loads(text)
    assert profile.warnings == ()


def test_loaded_flags_are_typed_objects() -> None:
    flag = Profile.from_document("Spec", SPEC_BASIC).flag("checkout_v2")
    assert flag.short_term is not None and flag.short_term.remove_by == "2027-06-30"
    assert [a.type.value if a.type else None for a in flag.attributes] == ["number", "string", "string-array", "boolean"]
    assert flag.values["regions"] == ("eu-west-1",)
    assert Profile.from_document("Spec", SPEC_MULTI_VARIANT).flag("ui_refresh").variants[-1].name == "Default"  # type: ignore[index]


def test_loading_an_invalid_document_reports_all_its_problems() -> None:
    text = SPEC_BASIC.replace('"max_items": 10', '"max_items": 99').replace('"theme": "dark"', '"theme": "blue"')
    with pytest.raises(FlagValidationError) as error:
        Profile.from_document("Spec", text)
    assert [(p.path, p.rule, p.value) for p in error.value.problems] == [
        ("Spec/checkout_v2/max_items", "value-range", 99),
        ("Spec/checkout_v2/theme", "value-enum", "blue"),
    ]


def test_a_loaded_document_may_hold_what_appconfig_may_take() -> None:
    text = '{"version":"1","flags":{"f":{}},"values":{"f":{"enabled":true,"note":"x"},"g":{"enabled":false}}}'
    profile = Profile.from_document("Loose", text)
    assert json.loads(profile.render()) == json.loads(text)
    assert sorted(w.rule for w in profile.warnings) == ["undefined-attribute", "value-without-definition"]


def test_empty_containers_are_the_only_normalisation() -> None:
    profile = Profile.from_document("Empty", '{"version":"1","flags":{"f":{"attributes":{}}}}')
    assert profile.document() == {"version": "1", "flags": {"f": {}}, "values": {}}


# -- property: any valid document survives load -> render -> load -> render -------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"
#: S1 keys: a lower-case ASCII letter, then up to 63 ASCII letters, digits, '_' or '-'.
KEYS = st.builds(str.__add__, st.sampled_from(_LOWER),
                 st.text(_LOWER + _LOWER.upper() + "0123456789_-", max_size=63))
NAMES = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n"), min_size=1, max_size=64)
TEXTS = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
#: Patterns with a strategy for the strings that match them.
PATTERNS = {
    "^[a-z]{1,8}$": st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    "^[0-9]{3}-[A-Z]{2}$": st.from_regex(r"[0-9]{3}-[A-Z]{2}", fullmatch=True),
    "eu": st.from_regex(r"[a-z]{0,3}eu[a-z]{0,3}", fullmatch=True),
}


@st.composite
def string_constraint(draw: st.DrawFn) -> tuple[dict[str, Any], st.SearchStrategy[Any]]:
    shape = draw(st.sampled_from(["plain", "pattern", "enum"]))
    if shape == "pattern":
        pattern = draw(st.sampled_from(sorted(PATTERNS)))
        return {"type": "string", "pattern": pattern}, PATTERNS[pattern]
    if shape == "enum":
        enum = draw(st.lists(st.one_of(TEXTS, st.integers(-1000, 1000)), min_size=1, max_size=6, unique=True))
        return {"type": "string", "enum": enum}, st.sampled_from(enum).map(lambda m: m if isinstance(m, str) else str(m))
    return {"type": "string"}, st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@st.composite
def number_constraint(draw: st.DrawFn) -> tuple[dict[str, Any], st.SearchStrategy[Any]]:
    low = draw(st.one_of(st.none(), st.integers(-10**6, 10**6)))
    high = draw(st.one_of(st.none(), st.integers(low if low is not None else -10**6, 10**6 + 1)))
    constraint: dict[str, Any] = {"type": "number"}
    if low is not None:
        constraint["minimum"] = low
    if high is not None:
        constraint["maximum"] = high
    numbers = st.one_of(st.integers(low, high), st.floats(low, high, allow_nan=False, allow_infinity=False))
    return constraint, numbers


@st.composite
def attribute(draw: st.DrawFn) -> tuple[dict[str, Any], st.SearchStrategy[Any] | None, bool]:
    """An attribute definition, a strategy for its valid values (None: never given), and whether required."""
    kind = draw(st.sampled_from(["string", "number", "boolean", "string-array", "number-array", "none"]))
    definition: dict[str, Any] = {}
    if draw(st.booleans()):
        definition["description"] = draw(TEXTS)
    if kind == "none":
        return definition, st.one_of(st.booleans(), TEXTS, st.lists(st.integers(), min_size=1, max_size=3)), False
    values: st.SearchStrategy[Any]
    if kind == "string":
        constraint, values = draw(string_constraint())
    elif kind == "number":
        constraint, values = draw(number_constraint())
    elif kind == "boolean":
        constraint, values = {"type": "boolean"}, st.booleans()
    else:
        elements, element_values = draw(string_constraint() if kind == "string-array" else number_constraint())
        constraint = {"type": "array", "elements": elements}
        values = st.lists(element_values, min_size=1, max_size=4)
    required = draw(st.sampled_from([None, True, False]))
    if required is not None:
        constraint["required"] = required
    definition["constraints"] = constraint
    return definition, values, bool(required)


@st.composite
def attribute_values(draw: st.DrawFn, attributes: dict[str, Any], *, enabled: bool) -> dict[str, Any]:
    """Values for some of ``attributes``; all required ones when ``enabled``."""
    out: dict[str, Any] = {}
    for key, (_, values, required) in attributes.items():
        if (enabled and required) or draw(st.booleans()):
            out[key] = draw(values)
    return out


@st.composite
def flag(draw: st.DrawFn) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One flag: its definition and its value (either may be absent, as AppConfig allows)."""
    attributes = draw(st.dictionaries(KEYS.filter(lambda k: k != "enabled"), attribute(), max_size=4))
    definition: dict[str, Any] = {}
    if draw(st.booleans()):
        definition["name"] = draw(NAMES)
    if draw(st.booleans()):
        definition["description"] = draw(TEXTS)
    if draw(st.booleans()):
        definition["_deprecation"] = {"status": "planned", "date": draw(st.dates(date(2000, 1, 1))).isoformat()}
    if draw(st.booleans()):
        definition["_createdAt"] = "2026-11-25T16:50:43Z"
    if attributes:
        definition["attributes"] = {k: a[0] for k, a in attributes.items()}
    value: dict[str, Any]
    if draw(st.booleans()):
        count = draw(st.integers(1, 4))
        names = draw(st.lists(NAMES, min_size=count, max_size=count, unique=True))
        variants = []
        for index, name in enumerate(names):
            enabled = draw(st.booleans())
            entry: dict[str, Any] = {"name": name, "enabled": enabled}
            if index < count - 1:
                entry["rule"] = f'(eq $tier "{index}")'
            given = draw(attribute_values(attributes, enabled=enabled))
            if given:
                entry["attributeValues"] = given
            variants.append(entry)
        value = {"_variants": variants}
    else:
        enabled = draw(st.booleans())
        value = {"enabled": enabled, **draw(attribute_values(attributes, enabled=enabled))}
    if draw(st.booleans()):
        value["_updatedAt"] = "2026-11-26T09:00:00Z"
    presence = draw(st.sampled_from(["both", "both", "both", "definition", "value"]))
    return (definition if presence != "value" else None), (value if presence != "definition" else None)


@st.composite
def document(draw: st.DrawFn) -> dict[str, Any]:
    flags = draw(st.dictionaries(KEYS, flag(), max_size=5))
    return {
        "version": "1",
        "flags": {k: d for k, (d, _) in flags.items() if d is not None},
        "values": {k: v for k, (_, v) in flags.items() if v is not None},
    }


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_valid_documents_load_and_render_to_the_same_data_every_time(data: dict[str, Any]) -> None:
    assert check_document(data, path="Gen")[0] == []
    first = Profile.from_document("Gen", json.dumps(data)).render()
    assert json.loads(first) == data
    assert Profile.from_document("Gen", first).render() == first
