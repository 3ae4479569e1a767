"""StoreFront's flag catalogue: two profiles, built and validated with the appconfig-flags model.

Plain Python, no CDK: a runtime or a test can import it without aws-cdk-lib.
"""
from appconfig_flags import Attribute, Flag, FlagValue, Profile, ShortTerm, Variant

#: StoreFront's AppConfig application: the stack, the function and `appconfig-flags` read it from the profiles.
APPLICATION = "StoreFront"
#: Its environments in promotion order (Live after Staging); flags may give their own values only for these.
ENVIRONMENTS = ("Staging", "Live")

PRODUCT_GALLERY = Flag(
    key="product-gallery",
    name="Product gallery",
    description="Shows product photos in a gallery instead of a single picture.",
    attributes=(Attribute.string("layout", description="How photos are arranged.", enum=("grid", "carousel")),),
    values={"layout": "grid"},
    environments={"Staging": FlagValue(enabled=True, values={"layout": "carousel"})},
)

HOLIDAY_BANNER = Flag(
    key="holiday-banner",
    name="Holiday banner",
    description="A banner across the top of every page during the holiday sale.",
    short_term=ShortTerm(remove_by="2027-01-15"),
    attributes=(Attribute.string("message", required=True),),
    values={"message": "Holiday sale: 20% off everything"},
    environments={"Staging": FlagValue(enabled=True)},
)

FEATURED_CATEGORIES = Flag(
    key="featured-categories",
    name="Featured categories",
    description="Categories shown first on the home page, in order, and their badge discounts.",
    attributes=(
        Attribute.string_array("categories", enum=("shoes", "bags", "hats", "coats")),
        Attribute.number_array("badge-percentages", minimum=0, maximum=50),
    ),
    enabled=True,
    # Array values as lists (or tuples): both type-check and render the same JSON array.
    values={"categories": ["shoes", "bags"], "badge-percentages": [10, 5]},
    environments={"Staging": FlagValue(values={"categories": ("hats", "shoes", "bags")})},
)

UI_FLAGS = Profile("UiFlags", (PRODUCT_GALLERY, HOLIDAY_BANNER, FEATURED_CATEGORIES), application=APPLICATION,
                   environments=ENVIRONMENTS)

PREMIUM_DISCOUNT = Variant(name="premium", enabled=True, rule='(eq $tier "premium")',
                           values={"percent": 15, "min-items": 3})

VOLUME_DISCOUNT = Flag(
    key="volume-discount",
    name="Volume discount",
    description="A discount on orders of many items; premium customers get more. Live: premium only.",
    attributes=(
        Attribute.number("percent", description="Discount on the order total.", minimum=0, maximum=30),
        Attribute.number("min-items", description="Items an order needs for the discount.", minimum=2, maximum=100),
    ),
    enabled=None,  # a multi-variant flag: its variants say who gets it
    variants=(PREMIUM_DISCOUNT, Variant(name="everyone", enabled=True, values={"percent": 5, "min-items": 10})),
    environments={"Live": FlagValue(variants=(PREMIUM_DISCOUNT, Variant(name="everyone", enabled=False)))},
)

FREE_SHIPPING = Flag(
    key="free-shipping",
    name="Free shipping",
    description="No shipping cost above an order total.",
    attributes=(Attribute.number("threshold-cents", minimum=0, maximum=100_000),),
    enabled=True,
    values={"threshold-cents": 5_000},
    environments={"Live": FlagValue(values={"threshold-cents": 7_500})},
)

PRICING_FLAGS = Profile("PricingFlags", (VOLUME_DISCOUNT, FREE_SHIPPING), application=APPLICATION,
                        environments=ENVIRONMENTS)

PROFILES = (UI_FLAGS, PRICING_FLAGS)
