"""The local evaluator against AWS's documented examples, and answers shaped like AppConfig Agent's."""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appconfig_flags.model import (
    Attribute,
    Flag,
    FlagEvaluator,
    FlagValidationError,
    FlagValue,
    Profile,
    Rule,
    Variant,
    ctx,
    weighted_split,
)
from appconfig_flags.model.targeting import in_split, split_position
from appconfig_flags.model.targeting.split import split_test

IDS = [f"user-{i}" for i in range(10_000)]
#: Every split share below is within 5 standard deviations of its expected share over 10,000 ids.
TOLERANCE_SIGMAS = 5


def _shares(variants: tuple[Variant, ...], key: str = "checkout") -> dict[str, float]:
    evaluator = FlagEvaluator(key, variants)
    counts = Counter(evaluator.evaluate({"userId": user}).variant for user in IDS)
    return {name: counts[name] / len(IDS) for name in (v.name for v in variants)}


def _within(share: float, expected: float) -> bool:
    sigma = math.sqrt(expected * (1 - expected) / len(IDS))
    return abs(share - expected) <= TOLERANCE_SIGMAS * sigma


def _variants(*rules: str | Rule) -> tuple[Variant, ...]:
    return (*(Variant(name=name, enabled=True, rule=rule) for name, rule in zip("ABC", rules)),
            Variant(name="Default", enabled=False))


@pytest.mark.parametrize(("rules", "expected"), [
    (("(split pct::20 by::$userId)", "(split pct::20 by::$userId)"), {"A": 0.20, "B": 0.0, "Default": 0.80}),
    (("(split pct::20 by::$userId)", "(split pct::25 by::$userId)"), {"A": 0.20, "B": 0.05, "Default": 0.75}),
    (('(split pct::20 by::$userId seed::"seed_one")', '(split pct::25 by::$userId seed::"seed_two")'),
     {"A": 0.20, "B": 0.20, "Default": 0.60}),
], ids=["20/0/80 one flag, no seed", "20/5/75 nested", "20/20/60 two seeds"])
def test_splits_share_traffic_as_the_user_guide_examples_say(rules: tuple[str, str], expected: dict[str, float]) -> None:
    shares = _shares(_variants(*rules))
    for name, share in expected.items():
        assert _within(shares[name], share), (name, shares)
    if expected["B"] == 0.0:
        assert shares["B"] == 0.0  # Nested: the 20 % set is the same for both rules.


def test_a_weighted_split_gives_each_variant_its_weight() -> None:
    rules = weighted_split(by="userId", seed="layout-2026", weights={"A": 30, "B": 30})
    assert [str(r) for r in rules.values()] == ['(split pct::30 by::$userId seed::"layout-2026")',
                                                '(split pct::60 by::$userId seed::"layout-2026")']
    shares = _shares(_variants(*rules.values()))
    assert all(_within(shares[n], e) for n, e in {"A": 0.3, "B": 0.3, "Default": 0.4}.items()), shares


def test_an_order_proof_weighted_split_holds_on_its_own_slice_whatever_the_order() -> None:
    rules = weighted_split(by="userId", seed="s", weights={"A": 30, "B": 30}, order_proof=True)
    assert str(rules["B"]) == '(and (split pct::60 by::$userId seed::"s") (not (split pct::30 by::$userId seed::"s")))'
    forward = _shares(_variants(rules["A"], rules["B"]))
    backward = _shares((Variant(name="B", enabled=True, rule=rules["B"]), Variant(name="A", enabled=True, rule=rules["A"]),
                        Variant(name="Default", enabled=False)))
    assert forward == backward


@pytest.mark.parametrize(("weights", "message"), [({"A": 60, "B": 50}, "more than 100"), ({"A": -1}, "from 0 to 100"),
                                                  ({"A": 1.5}, "an int or Decimal")])
def test_a_weighted_split_refuses_weights_it_cannot_give(weights: dict[str, Any], message: str) -> None:
    with pytest.raises(FlagValidationError, match=message):
        weighted_split(by="u", weights=weights)


def test_the_split_hash_is_sha256_of_salt_nul_value_and_pinned_across_versions() -> None:
    digest = hashlib.sha256(b"bitcoin-2026\x00user-1").digest()
    assert split_position("bitcoin-2026", "user-1") == int.from_bytes(digest[:8], "big") == 15954172890059873006
    assert in_split("bitcoin-2026", "user-1", 87) is True and in_split("bitcoin-2026", "user-1", Decimal("86.4")) is False


@given(st.text(max_size=12), st.integers(0, 100), st.integers(0, 100))
def test_for_one_salt_a_smaller_split_lies_inside_a_larger_one(value: str, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert not in_split("salt", value, low) or in_split("salt", value, high)


def test_unseeded_splits_are_salted_with_the_flag_key_so_two_flags_differ() -> None:
    variants = _variants("(split pct::50 by::$userId)")
    one = [FlagEvaluator("flag-one", variants).evaluate({"userId": u}).variant for u in IDS[:200]]
    two = [FlagEvaluator("flag-two", variants).evaluate({"userId": u}).variant for u in IDS[:200]]
    seeded = _variants('(split pct::50 by::$userId seed::"x")')
    assert one != two
    assert ([FlagEvaluator("flag-one", seeded).evaluate({"userId": u}).variant for u in IDS[:200]]
            == [FlagEvaluator("flag-two", seeded).evaluate({"userId": u}).variant for u in IDS[:200]])


DISCOUNT = Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=100)
BITCOIN = Flag(
    key="allow-bitcoin-at-checkout", attributes=(DISCOUNT,), enabled=None,
    variants=(Variant(name="Default", enabled=False),),
    environments={"Production": FlagValue(variants=(
        Variant(name="gold", enabled=True, rule=ctx("tier") == "gold", values={"bitcoin-discount-percentage": 10}),
        Variant(name="rollout", enabled=True, rule=Rule.split(pct=20, by="userId", seed="bitcoin-2026"),
                values={"bitcoin-discount-percentage": 5}),
        Variant(name="blocked", enabled=False, rule='(in $country ["KP", "IR"])', values={"bitcoin-discount-percentage": 1}),
        Variant(name="Default", enabled=False, values={"bitcoin-discount-percentage": 0}),
    ))},
)
SHOP = Profile("CheckoutFlags", (BITCOIN,), environments=("Beta", "Production"),
               context={"tier": str, "userId": str, "country": str})


def test_in_production_a_gold_user_gets_10_percent() -> None:
    result = SHOP.evaluate("Production", BITCOIN, {"tier": "gold", "userId": "u-1"})
    assert result.variant == "gold"
    assert result.answer == {"_variant": "gold", "enabled": True, "bitcoin-discount-percentage": 10}


def test_the_first_matching_variant_wins_and_a_disabled_one_carries_no_values() -> None:
    blocked = next(u for u in IDS if not in_split("bitcoin-2026", u, 20))
    assert SHOP.evaluate("Production", "allow-bitcoin-at-checkout", {"country": "KP", "userId": blocked}).answer == {
        "_variant": "blocked", "enabled": False}
    assert SHOP.evaluate("Production", BITCOIN, {"country": "KP", "tier": "gold"}).variant == "gold"


def test_no_context_gets_the_default_variant_with_only_variant_and_enabled() -> None:
    assert SHOP.evaluate("Production", BITCOIN).answer == {"_variant": "Default", "enabled": False}
    assert SHOP.evaluate("Beta", BITCOIN, {"tier": "gold"}).answer == {"_variant": "Default", "enabled": False}


def test_a_basic_flag_answers_without_a_variant() -> None:
    flag = Flag(key="banner", attributes=(DISCOUNT,), enabled=True, values={"bitcoin-discount-percentage": 3})
    result = Profile("P", (flag,)).evaluate(None, "banner", {"tier": "gold"})
    assert (result.variant, result.answer) == (None, {"enabled": True, "bitcoin-discount-percentage": 3})


def test_the_answer_is_a_fresh_copy_each_time() -> None:
    answer = SHOP.evaluate("Production", BITCOIN, {"tier": "gold"}).answer
    answer["enabled"] = False
    assert SHOP.evaluate("Production", BITCOIN, {"tier": "gold"}).answer["enabled"] is True


def test_unknown_flags_environments_and_unsendable_context_are_errors() -> None:
    with pytest.raises(KeyError, match="has no flag 'nope'"):
        SHOP.evaluate("Production", "nope")
    with pytest.raises(KeyError, match="has no environment 'Prod'"):
        SHOP.evaluate("Prod", BITCOIN)
    with pytest.raises(ValueError, match="cannot be sent in the Context header"):
        SHOP.evaluate("Production", BITCOIN, {"tier": "gold, platinum"})


def test_the_evaluator_reads_a_documents_variants_json() -> None:
    variants = [{"name": "QA", "enabled": True, "rule": '(ends_with $email "@qa.example.com")',
                 "attributeValues": {"dark_mode": True}},
                {"name": "Default", "enabled": False, "attributeValues": {"dark_mode": False}}]
    evaluator = FlagEvaluator.from_json("ui_refresh", variants)
    assert evaluator.evaluate({"email": "a@qa.example.com"}).answer == {"_variant": "QA", "enabled": True,
                                                                         "dark_mode": True}
    assert evaluator.evaluate_encoded({"email": "a@example.com"}).answer == {"_variant": "Default", "enabled": False}


def test_a_loaded_document_keeps_its_rule_text_and_evaluates() -> None:
    text = ('{"version":"1","flags":{"f":{}},"values":{"f":{"_variants":['
            '{"name":"Old","enabled":true,"rule":"(gt  $age   65)"},{"name":"Default","enabled":false}]}}}')
    profile = Profile.from_document("Doc", text)
    assert profile.render() == text
    assert profile.evaluate(None, "f", {"age": 70}).variant == "Old"


@given(st.text(max_size=12), st.text(max_size=12), st.integers(0, 100))
def test_the_compiled_split_agrees_with_the_documented_hash(salt: str, value: str, pct: int) -> None:
    assert split_test(salt, pct)(value) is in_split(salt, value, pct)
    assert Rule.split(pct, "u", salt).evaluate({"u": "x"}) is in_split(salt, "x", pct)
