"""A catalogue of the targeting tests' own: the client's variant mechanics are tested against it, not the demo's.

Same profile name and flag keys as the demo catalogue (``flags/``), so the Agent paths and file names
are the same, but a fixed shape the demo is free to move away from: in Beta, two enabled variants
of the Bitcoin flag (gold customers 10%, everyone else 5%: a default with values) and a 20% split
of the layout in the US and Canada; in Production, no variants at all. The module exposes
``PROFILES`` so that ``CatalogueFileSource`` can load a copy of it.
"""
from appconfig_flags.model import Attribute, Flag, FlagValue, Profile, Rule, Variant, ctx

ENDS = "12/31/2026"

BITCOIN = Flag(
    key="allow-bitcoin-at-checkout",
    attributes=(
        Attribute.string("default-currency", enum=("USD", "BTC")),
        Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=100),
        Attribute.string("bitcoin-discount-end-date"),
    ),
    enabled=False,
    values={"default-currency": "USD", "bitcoin-discount-percentage": 0},
    environments={
        "Beta": FlagValue(variants=(
            Variant(name="gold-tier-discount", enabled=True, rule=ctx("tier") == "gold",
                    values={"bitcoin-discount-percentage": 10, "bitcoin-discount-end-date": ENDS}),
            Variant(name="standard-discount", enabled=True,
                    values={"bitcoin-discount-percentage": 5, "bitcoin-discount-end-date": ENDS}),
        )),
    },
)

LAYOUT = Flag(
    key="new-checkout-layout",
    attributes=(Attribute.string("layout", enum=("classic", "compact")),),
    enabled=False,
    environments={
        "Beta": FlagValue(variants=(
            Variant(name="compact-layout", enabled=True,
                    rule=Rule.in_("country", ("US", "CA")) & Rule.split(20, "userId", seed="checkout-layout-2026"),
                    values={"layout": "compact"}),
            Variant(name="classic-layout", enabled=False),
        )),
    },
)

TARGETED = Profile("CheckoutFlags", (BITCOIN, LAYOUT), application="FlagsDemo", environments=("Beta", "Production"),
                   context={"tier": str, "country": str, "userId": str})

PROFILES = (TARGETED,)
