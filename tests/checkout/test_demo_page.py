"""The checkout page: USD only when the flag is off; USD/BTC, the discount and its end date when on."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from appconfig_flags.client import CatalogueFileSource, FlagsClient, LocalSource, Snapshot, make_source
from appconfig_flags.client.watch import Reload
from appconfig_flags.testing import LocalAgent, ServedFlags
from checkout.demo import CheckoutApp
from checkout.demo.offer import SAMPLE_CART, USD_ONLY, offer_from, quote
from checkout.demo.origin import ago, describe_origin
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from tests.appconfig_flags.client.test_client import ScriptedSource

BEFORE_END = date(2026, 6, 1)
AFTER_END = date(2027, 1, 1)


class Page(HTMLParser):
    """The bits of the page the tests look at: elements by id, options, hidden ids, text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.options: list[tuple[str, bool]] = []
        self.inputs: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self._current: str | None = None
        self.texts: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "id" in found:
            self.ids[str(found["id"])] = found
            self._current = str(found["id"])
        if tag == "option" and self._current == "currency":
            self.options.append((str(found["value"]), "selected" in found))
        if tag == "input":
            self.inputs.append(found)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._current and data.strip():
            self.texts.setdefault(self._current, data.strip())

    def visible(self, element_id: str) -> bool:
        return element_id in self.ids and "hidden" not in self.ids[element_id]


def local_client(environment: str) -> FlagsClient:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, environment), catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    return client


def served(**entry: object) -> FlagsClient:
    """A client served exactly this entry, unchecked by the model (for content the catalogue could not hold)."""
    content = {BITCOIN.key: {"enabled": True, **entry}}
    client = FlagsClient(ScriptedSource(Snapshot.from_retrieval_form(content)), catalogue=CHECKOUT_FLAGS,
                         background=False)
    client.start()
    return client


def render(client: FlagsClient, today: date = BEFORE_END, currency: str | None = None) -> Page:
    return Page(CheckoutApp(client, today=lambda: today).render(currency))


def test_flag_off_offers_usd_only() -> None:
    page = render(local_client("Production"))
    assert page.options == []
    assert page.texts["currency-only"] == "USD"
    assert "bitcoin-promo" not in page.ids and "discount-row" not in page.ids and "btc-row" not in page.ids
    assert page.texts["total"] == "$137.50"


def test_flag_off_ignores_a_requested_btc() -> None:
    page = render(local_client("Production"), currency="BTC")
    assert page.options == [] and page.texts["total"] == "$137.50"


def test_flag_on_offers_usd_and_btc_with_the_default_preselected_and_the_discount_promoted() -> None:
    page = render(local_client("Beta"))
    assert page.options == [("USD", True), ("BTC", False)]
    assert page.texts["discount-end-date"] == "12/31/2026"
    assert "save" in " ".join(page.text) and "5%" in " ".join(page.text)
    assert page.texts["total"] == "$137.50"  # paying in USD: no discount
    assert not page.visible("discount-row")
    assert page.ids["total"]["data-btc"] == "$130.62"


def test_btc_as_default_currency_shows_the_discounted_total(served_flags: ServedFlags) -> None:
    served_flags.set(BITCOIN, enabled=True, values={"default-currency": "BTC", "bitcoin-discount-percentage": 10})
    page = render(served_flags.client)
    assert page.options == [("USD", False), ("BTC", True)]
    assert page.visible("discount-row") and page.texts["discount"] == "\u2212$13.75"
    assert page.texts["total"] == "$123.75"
    assert page.visible("btc-row") and page.texts["total-btc"] == "\u20bf0.00123750"


def test_choosing_btc_applies_the_discount() -> None:
    page = render(local_client("Beta"), currency="BTC")
    assert page.options == [("USD", False), ("BTC", True)]
    assert page.texts["discount"] == "\u2212$6.88" and page.texts["total"] == "$130.62"


def test_the_discount_disappears_after_its_end_date() -> None:
    client = local_client("Beta")
    assert "bitcoin-promo" in render(client, today=date(2026, 12, 31), currency="BTC").ids  # the last day counts
    page = render(client, today=AFTER_END, currency="BTC")
    assert page.options == [("USD", False), ("BTC", True)]  # Bitcoin is still offered...
    assert "bitcoin-promo" not in page.ids and "discount-row" not in page.ids  # ...without the discount
    assert page.texts["total"] == "$137.50"


def test_a_discount_without_end_date_does_not_expire(served_flags: ServedFlags) -> None:
    # Production's value has no end date; the flag is off there.
    served_flags.set(BITCOIN, enabled=True, values={"bitcoin-discount-percentage": 5})
    page = render(served_flags.client, today=AFTER_END)
    assert "bitcoin-promo" in page.ids and "discount-end-date" not in page.ids


def test_an_impossible_end_date_means_no_discount() -> None:
    offer = offer_from(served(**{"bitcoin-discount-percentage": 5, "bitcoin-discount-end-date": "02/31/2026"}).get(BITCOIN),
                       BEFORE_END)
    assert offer.bitcoin and not offer.discount


def test_before_flags_load_the_page_shows_the_declared_default() -> None:
    client = FlagsClient(ScriptedSource(), catalogue=CHECKOUT_FLAGS, background=False)
    page = render(client)
    assert page.options == [] and page.texts["currency-only"] == "USD"
    assert offer_from(client.get(BITCOIN), BEFORE_END) == USD_ONLY


def test_quote_rounds_half_up_to_cents_and_satoshis(served_flags: ServedFlags) -> None:
    served_flags.set(BITCOIN, enabled=True, values={"bitcoin-discount-percentage": 5})
    offer = offer_from(served_flags.client.get(BITCOIN), BEFORE_END)
    btc = quote(SAMPLE_CART, offer, "BTC")
    assert (btc.subtotal, btc.discount, btc.total, btc.total_btc) == (
        Decimal("137.50"), Decimal("6.88"), Decimal("130.62"), Decimal("0.00130620"))
    assert quote(SAMPLE_CART, offer, "USD").discount == 0


def call(app: CheckoutApp, path: str, query: str = "", method: str = "GET") -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen.update(status=status, headers=dict(headers))

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    body = b"".join(app(environ, start_response))
    return str(seen["status"]), seen["headers"], body  # type: ignore[return-value]


@pytest.mark.parametrize(("path", "method", "status"), [
    ("/", "GET", "200 OK"), ("/status", "GET", "200 OK"), ("/nope", "GET", "404 Not Found"),
    ("/", "POST", "405 Method Not Allowed"),
])
def test_routes(path: str, method: str, status: str) -> None:
    assert call(CheckoutApp(local_client("Beta")), path, method=method)[0] == status


def test_status_route_reports_the_client() -> None:
    _, headers, body = call(CheckoutApp(local_client("Beta")), "/status")
    assert headers["Content-Type"] == "application/json"
    assert b'"source": "local:CheckoutFlags@Beta"' in body and b'"health": "ready"' in body


def test_the_panel_shows_the_values_the_page_used() -> None:
    beta = render(local_client("Beta"))
    assert beta.texts["flag-enabled"] == "on"
    assert (beta.texts["flag-value-default-currency"], beta.texts["flag-value-bitcoin-discount-percentage"],
            beta.texts["flag-value-bitcoin-discount-end-date"]) == ('"USD"', "5", '"12/31/2026"')
    assert "flag-resolution" not in beta.ids
    production = render(local_client("Production"))
    assert production.texts["flag-enabled"] == "off" and "flag-value-default-currency" not in production.ids


def test_the_panel_says_when_the_page_uses_the_declared_default() -> None:
    page = render(FlagsClient(ScriptedSource(), catalogue=CHECKOUT_FLAGS, background=False))
    assert page.texts["flag-resolution"] == "The flag's declared default (not-loaded)."


def test_the_footer_says_where_the_flags_come_from_in_plain_words() -> None:
    assert render(local_client("Beta")).texts["flags-origin"] == (
        "Flags from the catalogue as it was when the demo started (local:CheckoutFlags@Beta); restart to see edits")


class WatchedStub(CatalogueFileSource):
    """A watched catalogue source whose last reload and problem the test sets."""

    def __init__(self, reload: Reload | None, problem: str | None = None) -> None:
        super().__init__("CheckoutFlags", "Beta")
        self.last_reload, self.problem = reload, problem


def test_the_footer_of_a_watched_catalogue_names_the_file_the_environment_and_the_reload() -> None:
    status = local_client("Beta").status()
    assert describe_origin(WatchedStub(Reload("flags/checkout.py", 1000.0)), status, now=1003.4) == (
        "Flags from flags/checkout.py (Beta), reloaded 3 s ago")
    assert describe_origin(WatchedStub(Reload("flags/checkout.py", 1000.0), "SyntaxError: x"), status, now=1200) == (
        "Flags from flags/checkout.py (Beta), reloaded 3 min ago. "
        "The last edit does not load, so the values from before it stay: SyntaxError: x")
    assert describe_origin(WatchedStub(None), status).startswith("No flags loaded yet from catalogue:flags/")


def test_ages_read_naturally() -> None:
    assert [ago(s) for s in (-1, 0, 119, 120, 7199, 7200)] == ["0 s ago", "0 s ago", "119 s ago", "2 min ago",
                                                               "119 min ago", "2 h ago"]


def test_the_page_read_through_the_agent_offers_what_the_agent_serves(served_flags: ServedFlags,
                                                                      flags_agent: LocalAgent) -> None:
    # The demo's `--source agent` path: make_source finds the Agent's port in the environment.
    served_flags.set(BITCOIN, enabled=True, values={"default-currency": "BTC"})
    client = FlagsClient(make_source("agent", profile=CHECKOUT_FLAGS, environment="Production"),
                         catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    try:
        assert render(client).options == [("USD", False), ("BTC", True)]
    finally:
        client.close()
    path, _ = flags_agent.requests[0]
    assert path == "/applications/FlagsDemo/environments/Production/configurations/CheckoutFlags"
