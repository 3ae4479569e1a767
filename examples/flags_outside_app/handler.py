"""AWS Lambda handler: StoreFront's Live page settings, read through the AppConfig Lambda extension.

The extension (a layer, see app.py) polls AppConfig and serves its cache on localhost:2772; the
``agent`` source reads it. Each profile names its application, so the client needs only the
environment. A frozen execution environment runs no background thread: each invocation polls, and
``poll()`` calls the extension only when a poll is due. Imports ``appconfig_flags`` and the catalogue
only: no boto3, no CDK.
"""
from __future__ import annotations

import os
from typing import Any

from storefront_flags import FREE_SHIPPING, HOLIDAY_BANNER, PRICING_FLAGS, UI_FLAGS, VOLUME_DISCOUNT

from appconfig_flags import FlagsClient, make_source

ENVIRONMENT = os.environ.get("FLAG_ENVIRONMENT", "Live")
UI = FlagsClient(make_source("agent", profile=UI_FLAGS, environment=ENVIRONMENT), catalogue=UI_FLAGS, background=False)
PRICING = FlagsClient(make_source("agent", profile=PRICING_FLAGS, environment=ENVIRONMENT), catalogue=PRICING_FLAGS,
                      background=False)


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """``{"tier": "premium", "items": 4}`` -> what the page shows that customer: banner, discount, free shipping."""
    UI.poll()
    PRICING.poll()
    discount = PRICING.get(VOLUME_DISCOUNT, context={"tier": event.get("tier", "standard")})
    items = int(event.get("items", 0))
    min_items = discount.value("min-items")
    return {
        "banner": UI.value(HOLIDAY_BANNER, "message") if UI.enabled(HOLIDAY_BANNER) else None,
        "discountPercent": discount.value("percent") if discount.enabled and isinstance(min_items, (int, float))
        and items >= min_items else 0,
        "freeShippingFromCents": PRICING.value(FREE_SHIPPING, "threshold-cents") if PRICING.enabled(FREE_SHIPPING)
        else None,
        "flags": discount.resolution.value,  # "served", or "not-loaded" when the extension did not answer
    }
