"""This app's flag catalogue: one module per configuration profile."""
from .checkout import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS, NEW_CHECKOUT_LAYOUT

#: Every profile the FlagsDemo application deploys.
PROFILES = (CHECKOUT_FLAGS,)

__all__ = ["ALLOW_BITCOIN_AT_CHECKOUT", "CHECKOUT_FLAGS", "NEW_CHECKOUT_LAYOUT", "PROFILES"]
