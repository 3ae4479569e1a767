"""`appconfig-flags import`: documents in, a flag module out, which renders exactly the documents it came from."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appconfig_flags.importer import import_documents, normalised
from appconfig_flags.model import FlagValidationError, Profile
from flags import CHECKOUT_FLAGS
from tests.appconfig_flags.model.test_round_trip import (
    KEYS,
    NAMES,
    SPEC_BASIC,
    SPEC_MULTI_VARIANT,
    attribute,
    attribute_values,
)
from tests.property_examples import examples


def run_module(text: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "imported_flags"}
    exec(compile(text, "imported_flags.py", "exec"), namespace)  # noqa: S102 - the module under test
    return namespace


def rendered(text: str, environment: str | None) -> dict[str, Any]:
    (profile,) = run_module(text)["PROFILES"]
    assert isinstance(profile, Profile)
    return json.loads(profile.render(environment))


def test_numbers_keep_their_json_type_across_environments() -> None:
    documents = {env: {"version": "1", "flags": {"a": {}}, "values": {"a": {"enabled": True, "n": n}}}
                 for env, n in (("Beta", 0), ("Gamma", 0), ("Production", 0.0))}
    text = import_documents("P", documents)
    assert '"Production": FlagValue(values={"n": 0.0})' in text


def test_the_checkout_documents_make_synth_renders_import_to_a_profile_rendering_both_exactly() -> None:
    documents = {env: CHECKOUT_FLAGS.render(env) for env in ("Beta", "Production")}
    text = import_documents("CheckoutFlags", documents)
    (profile,) = run_module(text)["PROFILES"]
    for env, document in documents.items():
        assert profile.render(env) == document  # the same text, not only the same data
    # In the catalogue's style: shared values on the flag, Production's variants as an override, Rule objects.
    assert 'Attribute.number(\n            "bitcoin-discount-percentage"' in text
    assert 'Attribute.date(\n            "bitcoin-discount-end-date",\n            format="MM/DD/YYYY"' in text
    assert 'rule=ctx("tier") == "gold"' in text
    assert 'Rule.split(20, "userId", seed="checkout-layout-2026")' in text
    assert 'short_term=ShortTerm(remove_by="2027-06-30")' in text
    assert '"Production": FlagValue(\n            variants=(' in text


def test_the_documents_in_the_synthesized_template_import_to_a_profile_rendering_each_exactly(synthesized: Any) -> None:
    # What `make synth` writes: each environment's HostedConfigurationVersion content in the FlagsDemo template.
    _, assembly = synthesized
    resources = assembly.get_stack_by_name("FlagsDemo").template["Resources"].values()
    documents = {r["Properties"]["Description"].split()[-1]: r["Properties"]["Content"] for r in resources
                 if r["Type"] == "AWS::AppConfig::HostedConfigurationVersion"
                 and r["Properties"]["Description"].startswith("CheckoutFlags ")}
    assert sorted(documents) == ["Beta", "Production"]
    (profile,) = run_module(import_documents("CheckoutFlags", documents))["PROFILES"]
    assert {env: profile.render(env) for env in documents} == documents


def test_shared_values_are_written_once_and_each_environment_keeps_only_its_differences() -> None:
    definition = {"f": {"attributes": {"n": {"constraints": {"type": "number"}}, "s": {}}}}
    documents = {
        "Dev": {"version": "1", "flags": definition, "values": {"f": {"enabled": True, "n": 1, "s": "x"}}},
        "QA": {"version": "1", "flags": definition, "values": {"f": {"enabled": True, "n": 2, "s": "x"}}},
        "Prod": {"version": "1", "flags": definition, "values": {"f": {"enabled": False, "n": 1, "s": "x"}}},
    }
    text = import_documents("P", documents)
    assert 'enabled=True,\n    values={"n": 1, "s": "x"},' in text
    assert '"QA": FlagValue(values={"n": 2})' in text and '"Prod": FlagValue(enabled=False)' in text
    assert '"Dev"' not in text.split("environments=")[1]
    for env, document in documents.items():
        assert rendered(text, env) == document


DOCUMENTS = {
    "spec-basic": SPEC_BASIC,
    "spec-multi-variant": SPEC_MULTI_VARIANT,
    "bookkeeping-keys": """{"version": "1", "flags": {"a": {"_createdAt": "2026-01-01T00:00:00Z", "attributes": {}}},
        "values": {"a": {"enabled": true, "_updatedAt": "2026-01-02T00:00:00Z"}}}""",
    "unconstrained-and-odd-constraints": """{"version": "1", "flags": {"a": {"attributes": {
        "note": {"description": "any value"}, "bare": {},
        "codes": {"constraints": {"type": "array"}},
        "mixed": {"constraints": {"type": "string", "enum": ["x", 7]}},
        "when": {"constraints": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}}}}},
        "values": {"a": {"enabled": true, "note": ["1", "2"], "codes": [1, 2], "mixed": "x", "when": "2026-02-30"}}}""",
    "values-only-and-definition-only": """{"version": "1", "flags": {"defined": {"name": "Only defined"}},
        "values": {"valued": {"enabled": false}}}""",
    "no-enabled-and-deprecation-without-date": """{"version": "1",
        "flags": {"a": {"_deprecation": {}}, "b": {"_deprecation": {"status": "planned"}}},
        "values": {"a": {}, "b": {"enabled": true}}}""",
    "non-canonical-rule-text-and-decimal-split": r"""{"version": "1", "flags": {"a": {}}, "values": {"a": {"_variants": [
        {"name": "spaced", "enabled": true, "rule": "(eq   $tier  \"gold\")"},
        {"name": "decimal", "enabled": true, "rule": "(split pct::12.5 by::$userId)"},
        {"name": "stamp", "enabled": true, "rule": "(gt $signup 2024-01-01T00:00:00Z)"},
        {"name": "not", "enabled": true, "rule": "(not (eq $tier \"basic\"))"},
        {"name": "Default", "enabled": false}]}}}""",
    "strings-that-need-escapes": r"""{"version": "1", "flags": {"a": {"name": "quote \" back\\slash tab\t",
        "description": "line\nbreak \u2028 é \u0007"}}, "values": {"a": {"enabled": false}}}""",
    "empty": """{"version": "1"}""",
    "long-names": json.dumps({"version": "1", "flags": {"a" + "b" * 63: {"attributes": {
        "c" + "d" * 63: {"constraints": {"type": "array", "elements": {"type": "number", "minimum": 1}}},
        "xYg6cb6THkszbGF1Cp5zPg240": {"description": "a long description that goes on and on",
                                      "constraints": {"type": "array", "elements": {"type": "number"}}}}}},
        "values": {"a" + "b" * 63: {"enabled": True, "c" + "d" * 63: [1, 2]}}}),
}


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_single_document_imports_to_a_profile_without_environments_that_renders_it(text: str) -> None:
    for typed in (False, True):
        module = import_documents("Imported", {None: text}, typed=typed)
        assert "ENVIRONMENTS" not in module
        assert rendered(module, None) == normalised(json.loads(text))


def test_a_typed_module_names_each_attribute_with_its_literal_key_and_each_flag_with_its_keys() -> None:
    text = import_documents("CheckoutFlags", {env: CHECKOUT_FLAGS.render(env) for env in ("Beta", "Production")},
                            typed=True)
    assert 'BITCOIN_DISCOUNT_PERCENTAGE: Attribute[float, Literal["bitcoin-discount-percentage"]] = Attribute.number(' \
        in text
    assert "ALLOW_BITCOIN_AT_CHECKOUT: Flag[ALLOW_BITCOIN_AT_CHECKOUT_KEYS] = Flag(" in text
    assert "attributes=(DEFAULT_CURRENCY, BITCOIN_DISCOUNT_PERCENTAGE, BITCOIN_DISCOUNT_END_DATE)," in text
    assert 'NEW_CHECKOUT_LAYOUT_KEYS: TypeAlias = Literal["layout"]' in text


def test_what_the_documents_hold_that_a_profile_cannot_is_an_error_naming_each_path() -> None:
    beta = {"version": "1", "flags": {"a": {"name": "A"}, "b": {}}, "values": {"a": {"enabled": True}, "b": {}}}
    prod = {"version": "1", "flags": {"a": {"name": "A2"}}, "values": {"a": {"enabled": True}}}
    with pytest.raises(FlagValidationError) as error:
        import_documents("P", {"Beta": beta, "Production": prod})
    assert sorted((p.path, p.rule) for p in error.value.problems) == [
        ("P@Production/a/name", "import-definition-differs"),
        ("P@Production/b", "import-flags-missing"),
        ("P@Production/b", "import-values-missing"),
    ]


def test_an_invalid_document_is_refused_with_the_models_problems() -> None:
    with pytest.raises(FlagValidationError) as error:
        import_documents("P", {"Beta": '{"version": 1}'})
    assert [p.path for p in error.value.problems] == ["P@Beta/version"]


def test_values_a_strict_profile_refuses_give_a_lenient_one() -> None:
    # An attribute value the flag does not declare: AppConfig's verdict is unknown, from_document accepts it.
    text = import_documents("P", {None: {"version": "1", "flags": {"a": {}}, "values": {"a": {"enabled": True, "x": 1}}}})
    assert "strict=False" in text


@st.composite
def environment_documents(draw: st.DrawFn) -> dict[str | None, dict[str, Any]]:
    """One profile's documents in 1-3 environments: the same definitions, values drawn per environment."""
    environments = draw(st.lists(st.sampled_from(["Beta", "Gamma", "Production"]), min_size=1, max_size=3, unique=True))
    flags = draw(st.dictionaries(KEYS, st.dictionaries(KEYS.filter(lambda k: k != "enabled"), attribute(), max_size=3),
                                 max_size=3))
    definitions: dict[str, Any] = {}
    for key, attributes in flags.items():
        definition: dict[str, Any] = {}
        if draw(st.booleans()):
            definition["name"] = draw(NAMES)
        if draw(st.booleans()):
            definition["_deprecation"] = {"status": "planned", "date": "2031-01-31"}
        if attributes:
            definition["attributes"] = {k: a[0] for k, a in attributes.items()}
        definitions[key] = definition
    out: dict[str | None, dict[str, Any]] = {}
    for env in environments:
        values: dict[str, Any] = {}
        for key, attributes in flags.items():
            if out and draw(st.booleans()):  # the same value as an environment before: shared at the flag level
                values[key] = json.loads(json.dumps(draw(st.sampled_from(list(out.values())))["values"][key]))
            elif draw(st.booleans()):  # variants
                count = draw(st.integers(1, 3))
                variants = []
                for index, name in enumerate(draw(st.lists(NAMES, min_size=count, max_size=count, unique=True))):
                    enabled = draw(st.booleans())
                    entry: dict[str, Any] = {"name": name, "enabled": enabled}
                    if index < count - 1:
                        entry["rule"] = draw(st.sampled_from(['(eq $tier "gold")', "(split pct::10 by::$userId)",
                                                              '(in $country ["US", "CA"])', "(gt $age 65)"]))
                    if given := draw(attribute_values(attributes, enabled=enabled)):
                        entry["attributeValues"] = given
                    variants.append(entry)
                values[key] = {"_variants": variants}
            else:
                enabled = draw(st.booleans())
                values[key] = {"enabled": enabled, **draw(attribute_values(attributes, enabled=enabled))}
        out[env] = {"version": "1", "flags": definitions, "values": values}
    if len(out) == 1 and draw(st.booleans()):
        return {None: next(iter(out.values()))}
    return out


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(environment_documents())
def test_generated_documents_import_to_a_module_that_renders_each_of_them(documents: dict[str | None, Any]) -> None:
    for document in documents.values():
        Profile.from_document("Gen", document, today=date(2026, 12, 1))  # a valid document, as AppConfig would take it
    for typed in (False, True):
        text = import_documents("Gen", documents, typed=typed)
        for env, document in documents.items():
            assert rendered(text, env) == normalised(document)
