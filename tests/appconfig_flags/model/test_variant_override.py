"""An environment that gives a flag variants replaces its basic value there: no mixed documents."""
from __future__ import annotations

import pytest

from appconfig_flags.model import Attribute, Flag, FlagValidationError, FlagValue, Profile, Variant, ctx


def _flag() -> Flag:
    return Flag(
        key="discount",
        attributes=(Attribute.number("percent", minimum=0, maximum=100),),
        enabled=True,
        values={"percent": 5},
        environments={
            "Beta": FlagValue(variants=(
                Variant(name="gold", enabled=True, rule=ctx("tier") == "gold", values={"percent": 10}),
                Variant(name="rest", enabled=False),
            )),
            "Production": FlagValue(values={"percent": 7}),
        },
    )


def test_variants_in_an_environment_leave_out_the_flags_basic_value() -> None:
    profile = Profile("P", (_flag(),), environments=("Beta", "Production"), context={"tier": str})
    beta = profile.document("Beta")["values"]["discount"]
    assert set(beta) == {"_variants"}
    assert [v["name"] for v in beta["_variants"]] == ["gold", "rest"]
    assert not [w for w in profile.warnings if w.rule == "variants-with-basic-value"]


def test_an_override_without_variants_still_merges_over_the_defaults() -> None:
    profile = Profile("P", (_flag(),), environments=("Beta", "Production"), context={"tier": str})
    assert profile.document("Production")["values"]["discount"] == {"enabled": True, "percent": 7}
    assert profile.document()["values"]["discount"] == {"enabled": True, "percent": 5}


def test_an_environment_value_mixing_variants_with_enabled_or_values_is_refused_naming_the_fields() -> None:
    mixed = Flag(key="discount", attributes=(Attribute.number("percent"),), environments={
        "Beta": FlagValue(enabled=True, values={"percent": 3},
                          variants=(Variant(name="gold", enabled=True, rule=ctx("tier") == "gold"),
                                    Variant(name="rest", enabled=False)))})
    with pytest.raises(FlagValidationError) as raised:
        Profile("P", (mixed,), environments=("Beta",), context={"tier": str})
    [problem] = raised.value.problems
    assert (problem.path, problem.rule, problem.value) == ("P@Beta/discount", "variants-with-basic-value",
                                                           ["enabled", "percent"])


def test_an_override_that_turns_on_a_flag_whose_variants_it_inherits_is_refused() -> None:
    flag = Flag(key="discount", variants=(Variant(name="rest", enabled=False),),
                environments={"Beta": FlagValue(enabled=True)})
    with pytest.raises(FlagValidationError, match=r"P@Beta/discount: \[variants-with-basic-value\].*\['enabled'\]"):
        Profile("P", (flag,), environments=("Beta",))


def test_flag_level_variants_render_without_the_flags_default_enabled() -> None:
    flag = Flag(key="discount", variants=(Variant(name="rest", enabled=True),))
    assert Profile("P", (flag,)).document()["values"]["discount"] == {"_variants": [{"name": "rest", "enabled": True}]}


def test_a_loaded_document_mixing_them_is_only_warned_about() -> None:
    text = '{"version": "1", "flags": {"d": {}}, "values": {"d": {"enabled": true, "_variants": [{"name": "v", "enabled": true}]}}}'
    profile = Profile.from_document("P", text)
    assert [w.rule for w in profile.warnings] == ["variants-with-basic-value"]
