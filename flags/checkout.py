"""The ``CheckoutFlags`` profile: what the checkout page offers, and to whom."""
from appconfig_flags.model import (
    Attribute,
    Experiment,
    ExperimentRun,
    Flag,
    FlagValue,
    Profile,
    Rule,
    ShortTerm,
    Treatment,
    Variant,
    ctx,
)

#: The AppConfig application these flags live in: the stacks, the flags client and `appconfig-flags` read it here.
APPLICATION = "FlagsDemo"
#: Its environments, in promotion order (Production deploys after Beta); flags may give each its own values.
ENVIRONMENTS = ("Beta", "Production")

#: The request context the variant rules read: every key a rule names is declared with its type.
CHECKOUT_CONTEXT = {"tier": str, "country": str, "userId": str}

#: The last day of the Bitcoin discount.
DISCOUNT_ENDS = "12/31/2026"

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
        Attribute.date("bitcoin-discount-end-date", format="MM/DD/YYYY", description="Last day of the discount, MM/DD/YYYY."),
    ),
    enabled=False,
    values={"default-currency": "USD", "bitcoin-discount-percentage": 0},
    environments={
        "Beta": FlagValue(
            enabled=True,
            values={"bitcoin-discount-percentage": 5, "bitcoin-discount-end-date": DISCOUNT_ENDS},
        ),
        # Production opens Bitcoin to gold customers first, at 10%; everyone else keeps USD only (the default, last).
        "Production": FlagValue(variants=(
            Variant(name="gold-tier-discount", enabled=True, rule=ctx("tier") == "gold",
                    values={"bitcoin-discount-percentage": 10, "bitcoin-discount-end-date": DISCOUNT_ENDS}),
            Variant(name="everyone-else", enabled=False),
        )),
    },
)

NEW_CHECKOUT_LAYOUT = Flag(
    key="new-checkout-layout",
    name="New checkout layout",
    description="The compact checkout layout, rolled out to a share of users in the US and Canada.",
    short_term=ShortTerm(remove_by="2027-03-31"),
    attributes=(Attribute.string("layout", description="Which checkout layout the page uses.",
                                 enum=("classic", "compact")),),
    enabled=False,
    environments={
        # 20% of users in the US and Canada, picked by user id; the seed keeps each user's bucket stable.
        "Beta": FlagValue(variants=(
            Variant(name="compact-layout", enabled=True,
                    rule=Rule.in_("country", ("US", "CA")) & Rule.split(20, "userId", seed="checkout-layout-2026"),
                    values={"layout": "compact"}),
            Variant(name="classic-layout", enabled=False),
        )),
    },
)

#: Does a 10% Bitcoin discount, instead of Beta's 5%, make more US users pay in Bitcoin? Half of them take part.
BITCOIN_DISCOUNT_EXPERIMENT = Experiment(
    name="bitcoin-discount-5-vs-10",
    flag=ALLOW_BITCOIN_AT_CHECKOUT,
    environment="Beta",
    audience=ctx("country") == "US",
    audience_description="Users in the US",
    hypothesis="A 10% discount makes more US users pay in Bitcoin than the 5% discount does.",
    launch_criteria="At least 20% more Bitcoin checkouts per exposed user with 10% than with 5%.",
    control=Treatment(enabled=True, weight=50, description="Beta's discount, 5%",
                      values={"default-currency": "USD", "bitcoin-discount-end-date": DISCOUNT_ENDS,
                              "bitcoin-discount-percentage": 5}),
    treatments=(
        Treatment(enabled=True, weight=50, description="Twice the discount, 10%",
                  values={"default-currency": "USD", "bitcoin-discount-end-date": DISCOUNT_ENDS,
                          "bitcoin-discount-percentage": 10}),
    ),
    run=ExperimentRun(exposure=50, description="First run: half of the US audience"),
)

CHECKOUT_FLAGS = Profile("CheckoutFlags", (ALLOW_BITCOIN_AT_CHECKOUT, NEW_CHECKOUT_LAYOUT),
                         application=APPLICATION, environments=ENVIRONMENTS, context=CHECKOUT_CONTEXT,
                         experiments=(BITCOIN_DISCOUNT_EXPERIMENT,))
