"""The persona picker: each visitor's context picks the variants, and the page says which and why."""
from __future__ import annotations

from datetime import date

import pytest

from appconfig_flags.client import FlagsClient, LocalSource
from checkout.demo import CheckoutApp
from checkout.demo.personas import PRESETS, persona_from_query
from flags import CHECKOUT_FLAGS

from .test_demo_page import Page, call


def beta_app() -> CheckoutApp:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    return CheckoutApp(client, today=lambda: date(2026, 6, 1))


def visit(query: str) -> Page:
    status, _, body = call(beta_app(), "/", query)
    assert status == "200 OK"
    return Page(body.decode())


def test_the_anonymous_visitor_keeps_the_standard_discount_and_the_classic_layout() -> None:
    page = visit("currency=BTC")
    assert page.texts["persona-label"] == "Anonymous visitor (no context)"
    assert page.texts["flag-value-bitcoin-discount-percentage"] == "5" and page.texts["total"] == "$130.62"
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "standard-discount"
    assert page.texts["why-allow-bitcoin-at-checkout"] == "default: no rule matched"
    assert page.texts["variant-new-checkout-layout"] == "classic-layout"
    assert page.ids["persona"] is not None and "layout-compact" not in page.ids


def test_a_gold_persona_gets_the_gold_discount_and_the_rule_that_gave_it() -> None:
    page = visit("persona=grace&currency=BTC")
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "gold-tier-discount"
    assert page.texts["why-allow-bitcoin-at-checkout"] == 'rule (eq $tier "gold") matched'
    assert page.texts["discount"] == "\u2212$13.75" and page.texts["total"] == "$123.75"
    assert page.texts["variant-new-checkout-layout"] == "classic-layout"  # GB is not in the rollout


def test_a_user_in_the_20_percent_split_gets_the_compact_layout() -> None:
    page = visit("persona=sam")
    assert page.texts["variant-new-checkout-layout"] == "compact-layout"
    assert page.texts["why-new-checkout-layout"].startswith('rule (and (in $country ["US", "CA"]) (split pct::20')
    assert page.texts["layout-compact"] == "(new compact layout)"
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "standard-discount"


def test_the_form_sends_any_context_and_keeps_it_when_the_currency_changes() -> None:
    page = visit("tier=gold&country=CA&userId=user-1004")
    assert page.texts["persona-label"] == "Custom visitor"
    assert (page.texts["variant-allow-bitcoin-at-checkout"], page.texts["variant-new-checkout-layout"]) == (
        "gold-tier-discount", "compact-layout")
    hidden = {attrs["name"]: attrs["value"] for attrs in page.inputs if attrs.get("type") == "hidden"}
    assert hidden == {"tier": "gold", "country": "CA", "userId": "user-1004"}


def test_a_context_the_agent_could_not_receive_shows_the_declared_default_and_why() -> None:
    page = visit("tier=gold&country=U%2CS")  # a ',' cannot be sent in the Context header
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "(none)"
    assert page.texts["why-allow-bitcoin-at-checkout"].startswith("invalid-context: context 'country': 'U,S'")
    assert page.texts["currency-only"] == "USD"


@pytest.mark.parametrize(("query", "persona"), [
    ({}, PRESETS["anonymous"]), ({"persona": ["ana"]}, PRESETS["ana"]), ({"persona": ["nobody"]}, PRESETS["anonymous"]),
])
def test_personas_come_from_the_query(query: dict[str, list[str]], persona: object) -> None:
    assert persona_from_query(query) == persona
