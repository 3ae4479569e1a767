"""End to end: serve the checkout page and load it in headless Chromium (one browser, tests/checkout/chromium.py)."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date

import pytest

from appconfig_flags.client import FlagsClient, LocalSource
from checkout.demo import CheckoutApp, make_demo_server
from flags import CHECKOUT_FLAGS

from .chromium import CHROMIUM, NO_CHROMIUM, Chromium
from .test_demo_page import Page

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]


#: A test-only page on the same origin: loads the checkout in a frame, picks BTC in the select the way a
#: user would (a change event), and copies what the page's script then shows into its own DOM.
HARNESS = b"""<!DOCTYPE html><html><body><pre id="after-change"></pre>
<iframe id="page" src="/"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var doc = this.contentDocument, select = doc.getElementById("currency");
  select.value = "BTC";
  select.dispatchEvent(new Event("change"));
  document.getElementById("after-change").textContent = JSON.stringify({
    total: doc.getElementById("total").textContent,
    discountHidden: doc.getElementById("discount-row").hidden,
    btcHidden: doc.getElementById("btc-row").hidden});
});
</script></body></html>"""


def with_harness(app: CheckoutApp) -> object:
    def wsgi(environ: dict[str, object], start_response: Callable[..., object]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/harness":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [HARNESS]
        return app(environ, start_response)

    return wsgi


def serve(environment: str) -> tuple[str, object]:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, environment), catalogue=CHECKOUT_FLAGS)
    client.start(wait=2)
    app = CheckoutApp(client, environment=environment, today=lambda: date(2026, 6, 1))
    server = make_demo_server(with_harness(app), port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


@pytest.fixture
def dump_dom(chromium: Chromium) -> Iterator[object]:
    servers: list[object] = []

    def load(environment: str, query: str = "") -> Page:
        url, server = serve(environment)
        servers.append(server)
        html = chromium.dom(url + query)
        assert "<html" in html, html[:2000]
        return Page(html)

    yield load
    for server in servers:
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]


def test_in_a_browser_bitcoin_and_its_discount_appear_only_when_the_flag_is_on(dump_dom: object) -> None:
    beta = dump_dom("Beta", "?currency=BTC")  # type: ignore[operator]
    assert beta.options == [("USD", False), ("BTC", True)]
    assert beta.texts["discount-end-date"] == "12/31/2026"
    assert beta.visible("discount-row") and beta.texts["discount"] == "\u2212$6.88"
    assert beta.texts["total"] == "$130.62"

    production = dump_dom("Production", "?currency=BTC")  # type: ignore[operator]
    assert production.options == [] and production.texts["currency-only"] == "USD"
    assert "bitcoin-promo" not in production.ids and "discount-row" not in production.ids
    assert production.texts["total"] == "$137.50"


def test_in_a_browser_choosing_btc_updates_the_total_without_a_reload(dump_dom: object) -> None:
    page = dump_dom("Beta", "harness")  # type: ignore[operator]
    assert json.loads(page.texts["after-change"]) == {"total": "$130.62", "discountHidden": False, "btcHidden": False}


def test_in_a_browser_two_personas_get_their_variants_and_the_reason(dump_dom: object) -> None:
    # Production offers Bitcoin to gold customers only: Grace gets the gold-tier variant, Sam the default (off).
    grace = dump_dom("Production", "?persona=grace&currency=BTC")  # type: ignore[operator]
    assert grace.texts["environment"] == "Production"
    assert grace.texts["persona-label"] == "Grace: gold tier, GB"
    assert grace.texts["variant-allow-bitcoin-at-checkout"] == "gold-tier-discount"
    assert grace.texts["why-allow-bitcoin-at-checkout"] == 'rule (eq $tier "gold") matched'
    assert grace.texts["discount"] == "\u2212$13.75" and grace.texts["total"] == "$123.75"

    sam = dump_dom("Production", "?persona=sam&currency=BTC")  # type: ignore[operator]
    assert sam.texts["variant-allow-bitcoin-at-checkout"] == "everyone-else"
    assert sam.texts["why-allow-bitcoin-at-checkout"] == "default: no rule matched"
    assert sam.options == [] and sam.texts["currency-only"] == "USD" and sam.texts["total"] == "$137.50"


def test_in_a_browser_the_beta_layout_split_gives_two_personas_different_layouts(dump_dom: object) -> None:
    sam = dump_dom("Beta", "?persona=sam")  # type: ignore[operator]
    assert sam.texts["variant-new-checkout-layout"] == "compact-layout"
    assert sam.texts["layout-compact"] == "(new compact layout)"
    ana = dump_dom("Beta", "?persona=ana")  # type: ignore[operator]
    assert ana.texts["variant-new-checkout-layout"] == "classic-layout"
    assert "layout-compact" not in ana.ids
    # Bitcoin is one basic value in Beta: the same for both.
    assert sam.texts["variant-allow-bitcoin-at-checkout"] == ana.texts["variant-allow-bitcoin-at-checkout"] == (
        "(basic flag)")
