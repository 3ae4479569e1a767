"""The Shipping service's flag catalogue: one profile, read by the Lambda function and deployed by app.py.

Imports the runtime package only (``appconfig-flags``), so the function's bundle needs nothing else.
"""
from appconfig_flags.model import Attribute, Flag, FlagValue, Profile

APPLICATION = "Shipping"
ENVIRONMENT = "Live"

EXPRESS_SHIPPING = Flag(
    key="express-shipping",
    name="Express shipping",
    description="Offers next-day delivery for parcels up to a maximum weight.",
    attributes=(Attribute.number("max-weight-kg", description="Heaviest parcel sent express.", minimum=1, maximum=30),),
    enabled=False,
    values={"max-weight-kg": 5},
    environments={ENVIRONMENT: FlagValue(enabled=True, values={"max-weight-kg": 10})},
)

SHIPPING_FLAGS = Profile("ShippingFlags", (EXPRESS_SHIPPING,), application=APPLICATION, environments=(ENVIRONMENT,))
PROFILES = (SHIPPING_FLAGS,)
