"""What the checkout offers, from the flag: currencies, the Bitcoin discount, and the totals (pure)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from appconfig_flags.client import FlagState

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
SATOSHI = Decimal("0.00000001")
#: A fixed demo rate; a real shop would quote a live one.
USD_PER_BTC = Decimal(100000)
#: The flag's end-date format (the catalogue's pattern checks its shape).
END_DATE_FORMAT = "%m/%d/%Y"


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_price: Decimal  # USD
    quantity: int

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


#: The sample cart the demo page shows.
SAMPLE_CART = (
    LineItem("Single-origin coffee beans, 1 kg", Decimal("24.00"), 2),
    LineItem("Burr grinder", Decimal("89.50"), 1),
)


@dataclass(frozen=True)
class Offer:
    """What the page offers: USD only, or USD and BTC with an optional discount for BTC."""

    currencies: tuple[str, ...]
    default_currency: str
    discount_percent: Decimal = Decimal(0)
    discount_ends: date | None = None

    @property
    def bitcoin(self) -> bool:
        return "BTC" in self.currencies

    @property
    def discount(self) -> bool:
        return self.bitcoin and self.discount_percent > 0

    def currency(self, wanted: str | None) -> str:
        """``wanted`` if offered, else the default currency."""
        return wanted if wanted in self.currencies else self.default_currency


USD_ONLY = Offer(currencies=("USD",), default_currency="USD")


def offer_from(state: FlagState, today: date) -> Offer:
    """The offer the ``allow-bitcoin-at-checkout`` flag makes ``today``; the discount ends after its end date."""
    if not state.enabled:
        return USD_ONLY
    default = state.value("default-currency")
    percent = state.value("bitcoin-discount-percentage")
    ends = _date(state.value("bitcoin-discount-end-date"))
    discount = Decimal(str(percent)) if isinstance(percent, (int, float)) and not isinstance(percent, bool) else Decimal(0)
    if ends is _INVALID or (ends is not None and today > ends):
        discount, ends = Decimal(0), None
    return Offer(currencies=("USD", "BTC"), default_currency=default if default in ("USD", "BTC") else "USD",
                 discount_percent=min(max(discount, Decimal(0)), Decimal(100)), discount_ends=ends)


@dataclass(frozen=True)
class Quote:
    """The totals for one currency. Amounts are USD; ``total_btc`` is set when paying in BTC."""

    currency: str
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    total_btc: Decimal | None


def quote(cart: tuple[LineItem, ...], offer: Offer, currency: str) -> Quote:
    subtotal = sum((item.amount for item in cart), Decimal(0))
    discount = Decimal(0)
    if currency == "BTC" and offer.discount:
        discount = (subtotal * offer.discount_percent / 100).quantize(CENT, ROUND_HALF_UP)
    total = subtotal - discount
    total_btc = (total / USD_PER_BTC).quantize(SATOSHI, ROUND_HALF_UP) if currency == "BTC" else None
    return Quote(currency=currency, subtotal=subtotal, discount=discount, total=total, total_btc=total_btc)


_INVALID = date.min


def _date(text: object) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(str(text), END_DATE_FORMAT).date()
    except ValueError:
        # e.g. 02/31/2026 fits the pattern but is no date: no discount rather than an endless one.
        log.warning("bitcoin-discount-end-date %r is not a date (MM/DD/YYYY); no discount", text)
        return _INVALID
