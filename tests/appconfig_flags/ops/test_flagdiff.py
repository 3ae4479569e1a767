"""The semantic flag diff: one line per change, for each kind of change a flag catalogue can make."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from appconfig_flags.model import Attribute, Flag, FlagValue, Profile, ShortTerm, Variant
from appconfig_flags.ops import FlagChange, diff_catalogues, diff_documents, format_changes

BITCOIN = Flag(
    key="allow-bitcoin-at-checkout",
    name="Allow Bitcoin at checkout",
    description="Offers Bitcoin at checkout.",
    short_term=ShortTerm(remove_by="2027-06-30"),
    attributes=(Attribute.string("default-currency", enum=("USD", "BTC")),
                Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=100)),
    enabled=False,
    values={"default-currency": "USD", "bitcoin-discount-percentage": 0},
    environments={"Beta": FlagValue(enabled=True, values={"bitcoin-discount-percentage": 5})},
)
ENVIRONMENTS = ("Beta", "Production")


def catalogue(*profiles: Profile) -> dict[str, dict[str | None, dict[str, Any]]]:
    return {p.name: {env: p.document(env) for env in (p.environments or (None,))} for p in profiles}


def checkout(*flags: Flag, environments: tuple[str, ...] = ENVIRONMENTS, name: str = "CheckoutFlags") -> Profile:
    return Profile(name, flags, environments=environments)


def lines(before: Profile, after: Profile) -> list[str]:
    return [str(change) for change in diff_catalogues(catalogue(before), catalogue(after))]


def with_(flag: Flag, **changes: Any) -> Flag:
    fields = {name: getattr(flag, name) for name in ("key", "name", "description", "attributes", "short_term",
                                                     "enabled", "values", "variants", "environments")}
    return Flag(**{**fields, **changes})


def test_an_attribute_value_change_reads_environment_flag_attribute_before_after() -> None:
    after = with_(BITCOIN, environments={"Beta": FlagValue(enabled=True, values={"bitcoin-discount-percentage": 10})})
    assert lines(checkout(BITCOIN), checkout(after)) == [
        "Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 10"]


def test_a_default_change_shows_in_every_environment_that_inherits_it_production_first() -> None:
    after = with_(BITCOIN, values={"default-currency": "BTC", "bitcoin-discount-percentage": 0})
    assert lines(checkout(BITCOIN), checkout(after)) == [
        'Production/allow-bitcoin-at-checkout/default-currency: "USD" → "BTC"',
        'Beta/allow-bitcoin-at-checkout/default-currency: "USD" → "BTC"',
    ]


def test_enabling_a_flag_in_production() -> None:
    after = with_(BITCOIN, environments={**BITCOIN.environments, "Production": FlagValue(enabled=True)})
    assert lines(checkout(BITCOIN), checkout(after)) == ["Production/allow-bitcoin-at-checkout: enabled false → true"]


def test_flags_added_and_removed() -> None:
    new, old = Flag(key="new-flag", enabled=True), Flag(key="old-flag")
    assert lines(checkout(BITCOIN, old), checkout(BITCOIN, new)) == [
        "+ Production/new-flag (enabled)", "- Production/old-flag",
        "+ Beta/new-flag (enabled)", "- Beta/old-flag",
    ]


def test_a_value_given_or_taken_away_is_unset_on_one_side() -> None:
    after = with_(BITCOIN, values={"default-currency": "USD"})
    assert lines(checkout(BITCOIN), checkout(after)) == [
        "Production/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 0 → (unset)"]


def test_constraint_changes_name_the_constraint() -> None:
    after = with_(BITCOIN, attributes=(Attribute.string("default-currency", enum=("USD", "BTC", "ETH")),
                                       Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=50)))
    assert lines(checkout(BITCOIN, environments=("Beta",)), checkout(after, environments=("Beta",))) == [
        'Beta/allow-bitcoin-at-checkout/default-currency: constraint enum ["USD", "BTC"] → ["USD", "BTC", "ETH"]',
        "Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: constraint maximum 100 → 50",
    ]


def test_attribute_definitions_added_and_removed() -> None:
    after = with_(BITCOIN, attributes=(*BITCOIN.attributes[1:], Attribute.number("limit", minimum=1)),
                  values={"bitcoin-discount-percentage": 0})
    assert lines(checkout(BITCOIN, environments=("Beta",)), checkout(after, environments=("Beta",))) == [
        'Beta/allow-bitcoin-at-checkout/default-currency: "USD" → (unset)',
        "+ Beta/allow-bitcoin-at-checkout/limit (attribute, number, minimum 1)",
        "- Beta/allow-bitcoin-at-checkout/default-currency (attribute)",
    ]


def test_short_term_dates_descriptions_and_names() -> None:
    after = with_(BITCOIN, short_term=ShortTerm(remove_by="2027-12-31"), description="Bitcoin, with a discount.",
                  name="Bitcoin at checkout")
    assert lines(checkout(BITCOIN, environments=("Beta",)), checkout(after, environments=("Beta",))) == [
        'Beta/allow-bitcoin-at-checkout: name "Allow Bitcoin at checkout" → "Bitcoin at checkout"',
        'Beta/allow-bitcoin-at-checkout: description "Offers Bitcoin at checkout." → "Bitcoin, with a discount."',
        "Beta/allow-bitcoin-at-checkout: short-term remove by 2027-06-30 → remove by 2027-12-31",
    ]
    permanent = with_(BITCOIN, short_term=None)
    assert lines(checkout(BITCOIN, environments=("Beta",)), checkout(permanent, environments=("Beta",))) == [
        "Beta/allow-bitcoin-at-checkout: short-term remove by 2027-06-30 → (unset)"]


TESTERS = Variant(name="testers", enabled=True, rule='(ends_with $email "@example.com")',
                  values={"bitcoin-discount-percentage": 20})
EVERYONE = Variant(name="everyone", enabled=False)


def variants_doc(*variants: Variant) -> dict[str, Any]:
    return checkout(with_(BITCOIN, variants=variants, values={}, environments={}), environments=("Beta",)).document("Beta")


def test_variants_added_removed_and_changed() -> None:
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", variants_doc(EVERYONE),
                                           variants_doc(TESTERS, EVERYONE))] == [
        ('+ Beta/allow-bitcoin-at-checkout[testers] (variant, enabled, rule "(ends_with $email \\"@example.com\\")", '
         "bitcoin-discount-percentage 20)")]
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", variants_doc(TESTERS, EVERYONE),
                                           variants_doc(EVERYONE))] == [
        "- Beta/allow-bitcoin-at-checkout[testers] (variant)"]
    changed = Variant(name="testers", enabled=False, rule='(ends_with $email "@example.org")',
                      values={"bitcoin-discount-percentage": 25})
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", variants_doc(TESTERS, EVERYONE),
                                           variants_doc(changed, EVERYONE))] == [
        ('Beta/allow-bitcoin-at-checkout[testers]: rule "(ends_with $email \\"@example.com\\")" → '
         '"(ends_with $email \\"@example.org\\")"'),
        "Beta/allow-bitcoin-at-checkout[testers]: enabled true → false",
        "Beta/allow-bitcoin-at-checkout[testers]/bitcoin-discount-percentage: 20 → 25",
    ]


def test_a_new_variant_order_is_a_change_as_the_first_matching_rule_wins() -> None:
    vip = Variant(name="vip", enabled=True, rule="(eq $tier \"vip\")")
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", variants_doc(TESTERS, vip, EVERYONE),
                                           variants_doc(vip, TESTERS, EVERYONE))] == [
        "Beta/allow-bitcoin-at-checkout: variant order testers, vip, everyone → vip, testers, everyone"]


def test_environments_added_and_removed() -> None:
    before = checkout(BITCOIN, environments=("Beta", "Production"))
    after = checkout(with_(BITCOIN, environments={}), environments=("Beta", "Gamma"))
    assert lines(before, after) == [
        "- Production (environment)",
        "Beta/allow-bitcoin-at-checkout: enabled true → false",
        "Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 0",
        "+ Gamma (environment, 1 flag)",
        "+ Gamma/allow-bitcoin-at-checkout (disabled)",
    ]


def test_with_several_profiles_places_name_the_profile_and_profiles_added_or_removed_come_first() -> None:
    payments = checkout(Flag(key="allow-refunds", enabled=True), name="PaymentFlags", environments=("Beta",))
    legacy = checkout(Flag(key="old"), name="LegacyFlags", environments=("Beta",))
    after = with_(BITCOIN, environments={"Beta": FlagValue(enabled=False)})
    changes = diff_catalogues(catalogue(checkout(BITCOIN), legacy), catalogue(checkout(after), payments))
    assert [str(c) for c in changes] == [
        "+ profile PaymentFlags (environments Beta)",
        "- profile LegacyFlags",
        "CheckoutFlags@Beta/allow-bitcoin-at-checkout: enabled true → false",
        "CheckoutFlags@Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 0",
        "+ PaymentFlags@Beta/allow-refunds (enabled)",
    ]


def test_environment_order_follows_the_promotion_order_given() -> None:
    after = with_(BITCOIN, enabled=True, environments={})
    changes = diff_catalogues(catalogue(checkout(BITCOIN)), catalogue(checkout(after)),
                              environment_order=("Beta", "Production"))
    assert [str(c) for c in changes] == ["Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 0",
                                       "Production/allow-bitcoin-at-checkout: enabled false → true"]


def test_bookkeeping_keys_are_not_changes_but_true_is_not_1() -> None:
    before: dict[str, Any] = {"version": "1", "flags": {"f": {"name": "F"}}, "values": {"f": {"enabled": True, "n": 1}}}
    stamped = json.loads(json.dumps(before))
    stamped["flags"]["f"]["_updatedAt"] = stamped["values"]["f"]["_updatedAt"] = "2026-01-01T00:00:00Z"
    assert diff_documents("P", "Beta", before, stamped) == []
    retyped = json.loads(json.dumps(before))
    retyped["values"]["f"]["n"] = True
    assert [str(c) for c in diff_documents("P", "Beta", before, retyped)] == ["Beta/f/n: 1 → true"]


def test_nothing_deployed_yet_is_every_flag_added() -> None:
    document = checkout(BITCOIN).document("Beta")
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", None, document)] == [
        "+ Beta/allow-bitcoin-at-checkout (enabled)"]
    assert [str(c) for c in diff_documents("CheckoutFlags", "Beta", document, None)] == [
        "- Beta/allow-bitcoin-at-checkout"]


def test_no_changes_in_each_format() -> None:
    assert format_changes([], "text") == "no flag changes"
    assert "No flag changes." in format_changes([], "markdown")
    assert json.loads(format_changes([], "json")) == []
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        format_changes([], "yaml")


def all_kinds() -> list[FlagChange]:
    after = with_(BITCOIN, description="New.", environments={"Beta": FlagValue(enabled=True, values={
        "bitcoin-discount-percentage": 10})})
    return diff_catalogues(catalogue(checkout(BITCOIN, Flag(key="old"))),
                           catalogue(checkout(after, Flag(key="new", enabled=True))))


def test_json_carries_the_facts_of_each_text_line() -> None:
    changes = all_kinds()
    objects: list[Mapping[str, Any]] = json.loads(format_changes(changes, "json"))
    assert [o["text"] for o in objects] == format_changes(changes, "text").splitlines()
    discount = next(o for o in objects if o["attribute"] == "bitcoin-discount-percentage")
    assert discount == {"change": "changed", "subject": "attribute", "profile": "CheckoutFlags",
                        "environment": "Beta", "flag": "allow-bitcoin-at-checkout",
                        "attribute": "bitcoin-discount-percentage", "variant": None, "field": "value",
                        "before": 5, "after": 10, "detail": None,
                        "text": "Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 10"}
    assert next(o for o in objects if o["change"] == "added") | {"text": None} == {
        "change": "added", "subject": "flag", "profile": "CheckoutFlags", "environment": "Production", "flag": "new",
        "attribute": None, "variant": None, "field": None, "before": None, "after": {"enabled": True},
        "detail": "enabled", "text": None}


def test_markdown_groups_by_environment_production_first_with_the_same_facts() -> None:
    text = format_changes(all_kinds(), "markdown", title="Flag changes")
    assert text.splitlines() == [
        "### Flag changes (7)",
        "",
        "**Production**",
        "",
        '- `allow-bitcoin-at-checkout`: description `"Offers Bitcoin at checkout."` → `"New."`',
        "- **added** `new` (enabled)",
        "- **removed** `old`",
        "",
        "**Beta**",
        "",
        "- `allow-bitcoin-at-checkout/bitcoin-discount-percentage`: `5` → `10`",
        '- `allow-bitcoin-at-checkout`: description `"Offers Bitcoin at checkout."` → `"New."`',
        "- **added** `new` (enabled)",
        "- **removed** `old`",
    ]
