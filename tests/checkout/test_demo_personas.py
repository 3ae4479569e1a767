"""The persona picker: each visitor's context picks the variants, and the page says which and why."""
from __future__ import annotations

from datetime import date

import pytest

from appconfig_flags.client import FlagsClient, LocalSource
from checkout.demo import CheckoutApp
from checkout.demo.personas import PRESETS, persona_from_query
from flags import CHECKOUT_FLAGS

from .test_demo_page import Page, call


def app(environment: str) -> CheckoutApp:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, environment), catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    return CheckoutApp(client, environment=environment, today=lambda: date(2026, 6, 1))


def visit(query: str, environment: str = "Beta") -> Page:
    status, _, body = call(app(environment), "/", query)
    assert status == "200 OK"
    return Page(body.decode())


# -- Beta (make demo): Bitcoin at 5% for everyone, the compact layout for 20% of US/CA users --------------
def test_the_anonymous_visitor_in_beta_gets_the_basic_discount_and_the_classic_layout() -> None:
    page = visit("currency=BTC")
    assert page.texts["persona-label"] == "Anonymous visitor (no context)"
    assert page.texts["flag-value-bitcoin-discount-percentage"] == "5" and page.texts["total"] == "$130.62"
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "(basic flag)"
    assert page.texts["why-allow-bitcoin-at-checkout"] == "no variants: the same value for everyone"
    assert page.texts["variant-new-checkout-layout"] == "classic-layout"
    assert page.texts["why-new-checkout-layout"] == "default: no rule matched"
    assert page.ids["persona"] is not None and "layout-compact" not in page.ids


def test_the_page_names_its_environment_and_how_to_see_the_other() -> None:
    page = visit("")
    assert page.texts["environment"] == "Beta"
    assert 'make demo DEMO_ARGS="--env Production"' in "".join(page.text)
    production = visit("", "Production")
    assert production.texts["environment"] == "Production"
    assert 'make demo DEMO_ARGS="--env Beta"' in "".join(production.text)


def test_in_beta_a_gold_persona_gets_the_same_discount_as_everyone() -> None:
    page = visit("persona=grace&currency=BTC")
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "(basic flag)"
    assert page.texts["discount"] == "\u2212$6.88" and page.texts["total"] == "$130.62"
    assert page.texts["variant-new-checkout-layout"] == "classic-layout"  # GB is not in the rollout


def test_a_user_in_the_20_percent_split_gets_the_compact_layout() -> None:
    page = visit("persona=sam")
    assert page.texts["variant-new-checkout-layout"] == "compact-layout"
    assert page.texts["why-new-checkout-layout"].startswith('rule (and (in $country ["US", "CA"]) (split pct::20')
    assert page.texts["layout-compact"] == "(new compact layout)"
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "(basic flag)"


def test_the_form_sends_any_context_and_keeps_it_when_the_currency_changes() -> None:
    page = visit("tier=gold&country=CA&userId=user-1004")
    assert page.texts["persona-label"] == "Custom visitor"
    assert page.texts["variant-new-checkout-layout"] == "compact-layout"
    hidden = {attrs["name"]: attrs["value"] for attrs in page.inputs if attrs.get("type") == "hidden"}
    assert hidden == {"tier": "gold", "country": "CA", "userId": "user-1004"}


# -- Production (--env Production): Bitcoin for gold customers only, at 10%; no layout rollout -------------
def test_in_production_a_gold_persona_gets_the_gold_discount_and_the_rule_that_gave_it() -> None:
    page = visit("persona=grace&currency=BTC", "Production")
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "gold-tier-discount"
    assert page.texts["why-allow-bitcoin-at-checkout"] == 'rule (eq $tier "gold") matched'
    assert page.texts["discount"] == "\u2212$13.75" and page.texts["total"] == "$123.75"
    assert page.texts["variant-new-checkout-layout"] == "(basic flag)"


@pytest.mark.parametrize("query", ["currency=BTC", "persona=sam&currency=BTC", "tier=silver&currency=BTC"])
def test_in_production_everyone_else_gets_the_default_variant_which_is_off(query: str) -> None:
    page = visit(query, "Production")
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "everyone-else"
    assert page.texts["why-allow-bitcoin-at-checkout"] == "default: no rule matched"
    assert page.texts["flag-enabled"] == "off" and page.texts["currency-only"] == "USD"
    assert page.texts["total"] == "$137.50" and "layout-compact" not in page.ids


def test_a_context_value_a_rule_cannot_use_shows_the_declared_default_and_why() -> None:
    page = visit("tier=" + "g" * 1025, "Production")  # over the 1024 characters a context value may have
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "(none)"
    assert page.texts["why-allow-bitcoin-at-checkout"].startswith("invalid-context: context 'tier': 1025 characters")
    assert page.texts["currency-only"] == "USD"


def test_a_value_no_rule_of_a_flag_reads_changes_nothing_for_that_flag() -> None:
    page = visit("tier=gold&country=U%2CS", "Production")  # Bitcoin's rule reads tier only
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "gold-tier-discount"


@pytest.mark.parametrize(("query", "persona"), [
    ({}, PRESETS["anonymous"]), ({"persona": ["ana"]}, PRESETS["ana"]), ({"persona": ["nobody"]}, PRESETS["anonymous"]),
])
def test_personas_come_from_the_query(query: dict[str, list[str]], persona: object) -> None:
    assert persona_from_query(query) == persona


# -- Beta's experiment (issue 19): the simulated run shows the treatment each US persona gets -----------
def test_a_us_persona_in_the_experiments_treatment_gets_10_percent_and_the_page_says_why() -> None:
    page = visit("persona=lee&currency=BTC")
    assert page.texts["flag-value-bitcoin-discount-percentage"] == "10"
    assert page.texts["variant-allow-bitcoin-at-checkout"] == "treatment t1"
    assert page.texts["why-allow-bitcoin-at-checkout"] == (
        'experiment bitcoin-discount-5-vs-10: in its audience (eq $country "US") and its 50% exposure '
        "(simulated here, not AppConfig's bucketing)")


def test_the_control_keeps_5_percent_and_an_unexposed_us_persona_gets_the_deployed_flag() -> None:
    control = visit("persona=mia&currency=BTC")
    assert (control.texts["variant-allow-bitcoin-at-checkout"], control.texts["flag-value-bitcoin-discount-percentage"]) \
        == ("treatment c", "5")
    ana = visit("persona=ana&currency=BTC")
    assert ana.texts["variant-allow-bitcoin-at-checkout"] == "(basic flag)"


def test_production_runs_no_experiment() -> None:
    assert visit("persona=lee", "Production").texts["variant-allow-bitcoin-at-checkout"] == "everyone-else"
