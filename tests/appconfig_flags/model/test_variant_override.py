"""An environment that gives a flag variants replaces its basic value there: no mixed documents."""
from __future__ import annotations

from appconfig_flags.model import Attribute, Flag, FlagValue, Profile, Variant, ctx


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
