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
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS, NEW_CHECKOUT_LAYOUT

from .offer import SAMPLE_CART, USD_PER_BTC, LineItem, offer_from, quote
from .origin import describe_origin
from .personas import PRESETS, TIERS, Persona, explain, persona_from_query

StartResponse = Callable[..., Any]


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("checkout.demo", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["usd"] = lambda amount: f"${amount:,.2f}"
    env.filters["percent"] = lambda value: f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    env.filters["json"] = lambda value: json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    return env


class CheckoutApp:
    """``GET /`` renders the page (``?currency=BTC`` picks a currency; ``?persona=grace`` or
    ``?tier=gold&country=US&userId=u-1`` picks the visitor); ``GET /status`` is the client's status.

    ``environment`` names the environment whose flags the client serves, shown at the top of the page,
    with how to see the others (Default: not shown). ``today`` gives the date the discount's end is
    compared with (Default: ``date.today``).
    """

    def __init__(self, client: FlagsClient, *, environment: str | None = None,
                 today: Callable[[], date] = date.today, cart: tuple[LineItem, ...] = SAMPLE_CART) -> None:
        self.client = client
        self.environment = environment
        # The page serves one environment (one client); the others are one restart away.
        self.other_environments = tuple(e for e in CHECKOUT_FLAGS.environments or () if e != environment)
        self.today = today
        self.cart = cart
        self.template = _templates().get_template("checkout.html")

    def render(self, wanted_currency: str | None = None, persona: Persona | None = None) -> str:
        """The page's HTML for ``persona`` (Default: no context) who asked for ``wanted_currency``."""
        persona = persona or PRESETS["anonymous"]
        context = persona.context
        # One read per flag for this visitor's context: the panels show what the page used.
        # The user id is also the Entity-Id: an experiment on a flag assigns its treatment by it.
        state = self.client.get(ALLOW_BITCOIN_AT_CHECKOUT, context, entity_id=persona.entity_id)
        layout = self.client.get(NEW_CHECKOUT_LAYOUT, context, entity_id=persona.entity_id)
        offer = offer_from(state, self.today())
        quotes = {code: quote(self.cart, offer, code) for code in offer.currencies}
        selected = quotes[offer.currency(wanted_currency)]
        status = self.client.status()
        compact = layout.enabled and layout.value("layout") == "compact"
        return self.template.render(cart=self.cart, offer=offer, quotes=quotes, selected=selected,
                                    usd_per_btc=USD_PER_BTC, status=status, flag=state,
                                    origin=describe_origin(self.client.source, status), persona=persona,
                                    presets=PRESETS, tiers=TIERS, compact=compact, environment=self.environment,
                                    other_environments=self.other_environments,
                                    choices=[explain(self.client, s) for s in (state, layout)])

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if method not in ("GET", "HEAD"):
            return _respond(start_response, "405 Method Not Allowed", "text/plain", b"GET only\n")
        if path == "/":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            wanted = query.get("currency", [None])[0]
            page = self.render(wanted, persona_from_query(query))
            return _respond(start_response, "200 OK", "text/html; charset=utf-8", page.encode())
        if path == "/status":
            body = json.dumps(self.client.status().to_json(), indent=2).encode()
            return _respond(start_response, "200 OK", "application/json", body)
        return _respond(start_response, "404 Not Found", "text/plain", b"not found\n")


def _respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]
