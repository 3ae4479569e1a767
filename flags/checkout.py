"""The ``CheckoutFlags`` profile: what the checkout page offers."""
from appconfig_flags.model import Attribute, Flag, FlagValue, Profile, ShortTerm

#: The environments of the FlagsDemo application that flags may give their own values.
ENVIRONMENTS = ("Beta", "Production")

ALLOW_BITCOIN_AT_CHECKOUT = Flag(
    key="allow-bitcoin-at-checkout",
    name="Allow Bitcoin at checkout",
    description="Offers Bitcoin as a payment currency at checkout, with a limited-time discount.",
    short_term=ShortTerm(remove_by="2027-06-30"),
    attributes=(
        Attribute.string("default-currency", description="Currency selected when the page opens.",
                         enum=("USD", "BTC")),
        Attribute.number("bitcoin-discount-percentage", description="Discount for paying in Bitcoin.",
                         minimum=0, maximum=100),
        Attribute.string("bitcoin-discount-end-date", description="Last day of the discount, MM/DD/YYYY.",
                         pattern=r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$"),
    ),
    enabled=False,
    values={"default-currency": "USD", "bitcoin-discount-percentage": 0},
    environments={
        "Beta": FlagValue(
            enabled=True,
            values={"bitcoin-discount-percentage": 5, "bitcoin-discount-end-date": "12/31/2026"},
        ),
    },
)

CHECKOUT_FLAGS = Profile("CheckoutFlags", (ALLOW_BITCOIN_AT_CHECKOUT,), environments=ENVIRONMENTS)
