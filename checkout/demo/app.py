"""The checkout page as a WSGI app: server-rendered from one consistent read of the flag."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from appconfig_flags.client import FlagsClient, FlagState
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS, NEW_CHECKOUT_LAYOUT

from .experiment_log import ExperimentLog
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
    ``?tier=gold&country=US&userId=u-1`` picks the visitor); ``POST /order`` places the order (its
    outcomes go to ``experiment_log``) and sends the visitor back to the page; ``GET /status`` is the
    client's status.

    ``environment`` names the environment whose flags the client serves, shown at the top of the page,
    with how to see the others (Default: not shown). ``today`` gives the date the discount's end is
    compared with (Default: ``date.today``). ``experiment_log``: where the simulated run's assignments
    and the orders' outcomes are written (:mod:`.experiment_log`; Default: nowhere).
    """

    def __init__(self, client: FlagsClient, *, environment: str | None = None,
                 today: Callable[[], date] = date.today, cart: tuple[LineItem, ...] = SAMPLE_CART,
                 experiment_log: ExperimentLog | None = None) -> None:
        self.client = client
        self.experiment_log = experiment_log
        self.environment = environment
        # The page serves one environment (one client); the others are one restart away.
        self.other_environments = tuple(e for e in CHECKOUT_FLAGS.environments or () if e != environment)
        self.today = today
        self.cart = cart
        self.template = _templates().get_template("checkout.html")

    def _read(self, persona: Persona) -> tuple[FlagState, FlagState]:
        """One read per flag for this visitor's context; a simulated assignment is logged as the Agent would."""
        # The user id is also the Entity-Id: an experiment on a flag assigns its treatment by it.
        states = (self.client.get(ALLOW_BITCOIN_AT_CHECKOUT, persona.context, entity_id=persona.entity_id),
                  self.client.get(NEW_CHECKOUT_LAYOUT, persona.context, entity_id=persona.entity_id))
        snapshot = self.client.snapshot
        if self.experiment_log is not None and persona.entity_id is not None and snapshot is not None:
            for state in states:
                simulated = snapshot.experiments.get(state.flag.key)  # None when an Agent assigned it (and logs it)
                if state.treatment is not None and simulated is not None:
                    self.experiment_log.assigned(simulated.name, state.treatment, persona.entity_id)
        return states

    def render(self, wanted_currency: str | None = None, persona: Persona | None = None, *,
               ordered: str | None = None) -> str:
        """The page's HTML for ``persona`` (Default: no context) who asked for ``wanted_currency``.

        ``ordered``: the total of the order just placed, shown above the cart (Default: none).
        """
        persona = persona or PRESETS["anonymous"]
        # The panels show what the page used.
        state, layout = self._read(persona)
        offer = offer_from(state, self.today())
        quotes = {code: quote(self.cart, offer, code) for code in offer.currencies}
        selected = quotes[offer.currency(wanted_currency)]
        status = self.client.status()
        compact = layout.enabled and layout.value("layout") == "compact"
        return self.template.render(cart=self.cart, offer=offer, quotes=quotes, selected=selected,
                                    usd_per_btc=USD_PER_BTC, status=status, flag=state,
                                    origin=describe_origin(self.client.source, status), persona=persona,
                                    presets=PRESETS, tiers=TIERS, compact=compact, environment=self.environment,
                                    other_environments=self.other_environments, ordered=ordered,
                                    logging_orders=self.experiment_log is not None,
                                    choices=[explain(self.client, s) for s in (state, layout)])

    def place_order(self, persona: Persona, wanted_currency: str | None) -> tuple[str, str]:
        """Price the cart for ``persona`` as the page does, log the order's outcomes; (currency, total) as shown."""
        state, _ = self._read(persona)
        offer = offer_from(state, self.today())
        chosen = quote(self.cart, offer, offer.currency(wanted_currency))
        if self.experiment_log is not None and persona.entity_id is not None:
            self.experiment_log.ordered(persona.entity_id, currency=chosen.currency, total_usd=chosen.total)
        shown = f"\u20bf{chosen.total_btc}" if chosen.total_btc is not None else f"${chosen.total:,.2f}"
        return chosen.currency, shown

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if path == "/order" and method == "POST":
            return self._order(environ, start_response)
        if method not in ("GET", "HEAD"):
            return _respond(start_response, "405 Method Not Allowed", "text/plain", b"GET only (POST /order)\n")
        if path == "/":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            wanted = query.get("currency", [None])[0]
            page = self.render(wanted, persona_from_query(query), ordered=query.get("ordered", [None])[0])
            return _respond(start_response, "200 OK", "text/html; charset=utf-8", page.encode())
        if path == "/status":
            body = json.dumps(self.client.status().to_json(), indent=2).encode()
            return _respond(start_response, "200 OK", "application/json", body)
        return _respond(start_response, "404 Not Found", "text/plain", b"not found\n")


    def _order(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """``POST /order`` (the page's form): place it, then back to the page (303), which says what was ordered."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        form = parse_qs(environ["wsgi.input"].read(min(max(length, 0), 1 << 16)).decode("utf-8", "replace"))
        persona = persona_from_query(form)
        currency, shown = self.place_order(persona, form.get("currency", [None])[0])
        preset = next((key for key, p in PRESETS.items() if p.context and p.context == persona.context), None)
        back = {**({"persona": preset} if preset else persona.context), "currency": currency, "ordered": shown}
        start_response("303 See Other", [("Location", "./?" + urlencode(back)), ("Content-Length", "0"),
                                         ("Cache-Control", "no-store")])
        return [b""]


def _respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]
