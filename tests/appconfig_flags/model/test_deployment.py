"""The deployment facts the constructs, the client and the commands share: promotion order, version labels, names."""
from __future__ import annotations

from typing import Any

import pytest

from appconfig_flags.model import Flag, FlagValidationError, Profile
from appconfig_flags.model.deployment import PromotionCycleError, promotion_order, version_label


def _order(pairs: list[tuple[str, str | None]]) -> list[str]:
    return [n for n, _ in promotion_order(pairs, name=lambda p: p[0], after=lambda p: p[1])]


@pytest.mark.parametrize(("pairs", "expected"), [
    ([("Beta", None), ("Production", "Beta")], ["Beta", "Production"]),
    ([("Production", "Beta"), ("Beta", None)], ["Beta", "Production"]),
    ([("Prod", "Gamma"), ("Gamma", "Beta"), ("Beta", None), ("Dev", None)], ["Beta", "Gamma", "Prod", "Dev"]),
    ([("Production", "Beta")], ["Production"]),  # Beta lives in another stack or stage
])
def test_each_environment_follows_the_one_it_is_promoted_after(pairs: list[tuple[str, str | None]], expected: list[str]) -> None:
    assert _order(pairs) == expected


def test_a_cycle_is_an_error_naming_it() -> None:
    with pytest.raises(PromotionCycleError, match="Beta -> Production -> Beta|Production -> Beta -> Production"):
        _order([("Dev", None), ("Beta", "Production"), ("Production", "Beta")])


def test_the_version_label_names_the_environment_and_changes_with_the_content() -> None:
    label = version_label("Production", '{"version":"1"}')
    assert label.startswith("Production-") and len(label) == len("Production-") + 12
    assert version_label("Production", "a") != version_label("Production", "b")
    assert version_label("E" * 50, "a") == "E" * 40 + "-" + version_label("x", "a").split("-")[1]


def test_a_profile_names_its_application_and_environments_in_promotion_order() -> None:
    profile = Profile("Orchard", (Flag(key="ripe"),), application="Orchard", environments=("Staging", "Live"))
    assert profile.application == "Orchard"
    assert profile.promoted_after("Staging") is None and profile.promoted_after("Live") == "Staging"
    with pytest.raises(KeyError, match="has no environment 'Test'"):
        profile.promoted_after("Test")


@pytest.mark.parametrize(("options", "rule", "value"), [
    ({"application": ""}, "application-name", ""),
    ({"application": "A" * 65}, "application-name", "A" * 65),
    ({"environments": ("Beta", "Beta")}, "duplicate-environment", "Beta"),
    ({"environments": ("",)}, "environment-name", ""),
])
def test_bad_application_and_environment_names_are_refused(options: dict[str, Any], rule: str, value: str) -> None:
    with pytest.raises(FlagValidationError) as raised:
        Profile("Orchard", (Flag(key="ripe"),), **options)
    assert [(p.rule, p.value) for p in raised.value.problems] == [(rule, value)]


def test_the_application_must_be_a_string() -> None:
    with pytest.raises(FlagValidationError, match="application is a string"):
        Profile("Orchard", (Flag(key="ripe"),), application=7)  # type: ignore[arg-type]
