"""The checkout page as a WSGI app: server-rendered from one consistent read of the flag."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, select_autoescape

from appconfig_flags.client import FlagsClient
from flags import ALLOW_BITCOIN_AT_CHECKOUT

from .offer import SAMPLE_CART, USD_PER_BTC, LineItem, offer_from, quote
from .origin import describe_origin

StartResponse = Callable[..., Any]


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("checkout.demo", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["usd"] = lambda amount: f"${amount:,.2f}"
    env.filters["percent"] = lambda value: f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    env.filters["json"] = lambda value: json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    return env


class CheckoutApp:
    """``GET /`` renders the page (``?currency=BTC`` picks a currency); ``GET /status`` is the client's status.

    ``today`` gives the date the discount's end is compared with (Default: ``date.today``).
    """

    def __init__(self, client: FlagsClient, *, today: Callable[[], date] = date.today,
                 cart: tuple[LineItem, ...] = SAMPLE_CART) -> None:
        self.client = client
        self.today = today
        self.cart = cart
        self.template = _templates().get_template("checkout.html")

    def render(self, wanted_currency: str | None = None) -> str:
        """The page's HTML for a visitor who asked for ``wanted_currency``."""
        state = self.client.get(ALLOW_BITCOIN_AT_CHECKOUT)  # one read: the panel shows what the page used
        offer = offer_from(state, self.today())
        quotes = {code: quote(self.cart, offer, code) for code in offer.currencies}
        selected = quotes[offer.currency(wanted_currency)]
        status = self.client.status()
        return self.template.render(cart=self.cart, offer=offer, quotes=quotes, selected=selected,
                                    usd_per_btc=USD_PER_BTC, status=status, flag=state,
                                    origin=describe_origin(self.client.source, status))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if method not in ("GET", "HEAD"):
            return _respond(start_response, "405 Method Not Allowed", "text/plain", b"GET only\n")
        if path == "/":
            wanted = parse_qs(environ.get("QUERY_STRING", "")).get("currency", [None])[0]
            return _respond(start_response, "200 OK", "text/html; charset=utf-8", self.render(wanted).encode())
        if path == "/status":
            body = json.dumps(self.client.status().to_json(), indent=2).encode()
            return _respond(start_response, "200 OK", "application/json", body)
        return _respond(start_response, "404 Not Found", "text/plain", b"not found\n")


def _respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]
