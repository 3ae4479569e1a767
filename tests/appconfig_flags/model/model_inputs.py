"""Hypothesis strategies that build flag objects from arbitrary Python values, through every public constructor.

Shared by the property test (only ``FlagValidationError`` may come out) and the hash-seed script
(accepted inputs render the same whatever ``PYTHONHASHSEED``). Each field draws either a value of
its declared type or anything at all, so that most profiles are accepted and the rest probe the checks.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from appconfig_flags.model import Attribute, Constraints, Flag, FlagValue, Profile, ShortTerm, Variant


def _cyclic() -> list[Any]:
    items: list[Any] = [1]
    items.append(items)
    return items


def _deep(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6) | st.binary(max_size=4)
            | st.decimals(allow_nan=False) | st.dates() | st.datetimes() | st.complex_numbers(max_magnitude=10))
#: Anything: scalars JSON may or may not encode, containers of them (sets included), and hostile values.
ANYTHING: st.SearchStrategy[Any] = st.one_of(
    st.recursive(_SCALARS, lambda inner: (
        st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=3) | st.sets(st.text(max_size=3), max_size=3)), max_leaves=6),
    # Built once: the model never mutates its inputs, and 5,000 levels take milliseconds to build.
    st.builds(_cyclic), st.just(_deep(5000)), st.builds(object),
)
#: Anything a dict key can be.
HASHABLE = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4) | st.binary(max_size=3)
            | st.dates() | st.frozensets(st.integers(), max_size=2) | st.tuples(st.integers(), st.text(max_size=2)))
#: Plausible values: valid ones, and (for the property test) some a rule refuses.
VALID_KEYS, BAD_KEYS = ["a", "b", "discount", "ids", "when"], ["Bad Key", "enabled"]
VALID_TEXT, BAD_TEXT = ["Name", "ü"], ["", "x" * 70, "line\nfeed"]
ENVIRONMENTS = st.sampled_from(["Beta", "Production", "Gamma"])
VALID_PATTERNS, BAD_PATTERNS = ["^[A-Z]+$", "^[0-9]{2}$", "^([A-Z]+-)*[A-Z]+$"], ["^(a+)+$", "(", r"\p{L}", r"\d*\d*x", "(" * 250 + "a" + ")" * 250, "[[a]"]
#: Short strings: enum entries and string values, so that values often meet their enum.
WORDS = st.sampled_from(["USD", "BTC", "EUR", "GBP", "CHF", "a", "b"])
VALID_FORMATS, BAD_FORMATS = ["YYYY-MM-DD", "MM/DD/YYYY", "DD.MM.YYYY"], ["YY-MM"]


def ordered(strategy: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[Any]:
    """A tuple or a list of ``strategy``'s values."""
    return st.lists(strategy, max_size=max_size).flatmap(lambda items: st.sampled_from([tuple(items), list(items)]))


def sequence(strategy: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[Any]:
    """Like :func:`ordered`, or now and then a set of the (hashable) values: the model must refuse it."""
    return st.lists(strategy, max_size=max_size, unique=True).flatmap(
        lambda items: st.sampled_from([tuple(items), list(items), tuple(items), list(items), frozenset(items)]))


def profile_arguments(*, junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    """The arguments of a ``Profile`` and every object in it, drawn through the public constructors.

    ``junk``: each field is, one time in four, anything at all (the property test); otherwise every
    field has its declared type, though not always a valid value (the hash-seed comparison).
    """
    def pool(valid: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
        return st.sampled_from(valid + bad if junk else valid)

    KEYS, TEXT = pool(VALID_KEYS, BAD_KEYS), pool(VALID_TEXT, BAD_TEXT)
    PATTERNS, DATE_FORMATS = pool(VALID_PATTERNS, BAD_PATTERNS), pool(VALID_FORMATS, BAD_FORMATS)
    anything = st.deferred(lambda: ANYTHING)  # a short repr: the strategy is used many times over
    hashable = st.deferred(lambda: HASHABLE)

    def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        # flatmap, not one_of: one_of's repr repeats each branch, and these nest many levels deep.
        return st.integers(0, 3).flatmap(lambda i: anything if i == 0 else strategy) if junk else strategy

    def maybe_key(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.integers(0, 3).flatmap(lambda i: hashable if i == 0 else strategy) if junk else strategy

    attribute_values = st.one_of(
        WORDS, st.text(max_size=8), st.integers(-5, 200), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
        sequence(WORDS, 4), sequence(st.integers(0, 100)), st.sampled_from(["02/31/2026", "2026-01-31", "12/31/2025"]),
    )
    values_ = maybe(st.dictionaries(maybe_key(KEYS), maybe(attribute_values), max_size=3))

    constraints = st.builds(
        Constraints, kind=maybe(st.sampled_from(["string", "number", "boolean", "array"])),
        required=maybe(st.none() | st.booleans()), pattern=maybe(st.none() | PATTERNS),
        enum=maybe(st.none() | sequence(WORDS | st.integers(0, 9), 5)),
        minimum=maybe(st.none() | st.integers(-5, 5)), maximum=maybe(st.none() | st.integers(0, 200)),
        elements=maybe(st.none() | st.builds(Constraints, kind=maybe(st.sampled_from(["string", "number"])))),
    )

    #: Every public way to make an attribute: the dataclass itself and each factory.
    attributes_ = st.one_of(
        st.builds(Attribute, key=maybe(KEYS), constraints=maybe(st.none() | constraints), description=maybe(st.none() | TEXT),
                  date_format=maybe(st.none() | DATE_FORMATS), end_date=maybe(st.booleans())),
        st.builds(Attribute.string, maybe(KEYS), description=maybe(st.none() | TEXT), required=maybe(st.none() | st.booleans()),
                  pattern=maybe(st.none() | PATTERNS), enum=maybe(st.none() | sequence(WORDS, 5))),
        st.builds(Attribute.number, maybe(KEYS), description=maybe(st.none() | TEXT), required=maybe(st.none() | st.booleans()),
                  minimum=maybe(st.none() | st.integers(-5, 5)), maximum=maybe(st.none() | st.integers(0, 200))),
        st.builds(Attribute.boolean, maybe(KEYS), description=maybe(st.none() | TEXT), required=maybe(st.none() | st.booleans())),
        st.builds(Attribute.string_array, maybe(KEYS), pattern=maybe(st.none() | PATTERNS),
                  enum=maybe(st.none() | sequence(WORDS, 5))),
        st.builds(Attribute.number_array, maybe(KEYS), minimum=maybe(st.none() | st.integers(-5, 5)),
                  maximum=maybe(st.none() | st.integers(0, 200))),
        st.builds(Attribute.date, maybe(KEYS), format=maybe(DATE_FORMATS), description=maybe(st.none() | TEXT),
                  required=maybe(st.none() | st.booleans()), end=maybe(st.booleans())),
    )
    variants_ = st.builds(Variant, name=maybe(TEXT), enabled=maybe(st.booleans()),
                         rule=maybe(st.none() | pool(['(eq $tier "gold")'], ["", "(nope"])), values=values_)
    variant_lists = maybe(st.none() | ordered(variants_, 3))
    short_terms = st.builds(ShortTerm, remove_by=maybe(st.none() | st.sampled_from(["2026-11-29", "2027-06-30", "2027-02-30"])),
                            status=maybe(st.none() | st.just("planned")))
    flag_values = st.builds(FlagValue, enabled=maybe(st.none() | st.booleans()), values=values_, variants=variant_lists)
    flags_ = st.builds(
        Flag, key=maybe(pool(["f", "g", "checkout"], ["Bad"])), name=maybe(st.none() | TEXT),
        description=maybe(st.none() | TEXT), attributes=maybe(ordered(attributes_, 3)), short_term=maybe(st.none() | short_terms),
        enabled=maybe(st.none() | st.booleans()), values=values_, variants=variant_lists,
        environments=maybe(st.dictionaries(maybe_key(ENVIRONMENTS), maybe(flag_values), max_size=2)),
        metadata=maybe(st.dictionaries(st.sampled_from(["_createdAt", "_updatedAt"]), maybe(st.text(max_size=4)))),
        value_metadata=maybe(st.dictionaries(st.sampled_from(["_createdAt"]), maybe(st.text(max_size=4)))),
        defined=maybe(st.booleans()), has_value=maybe(st.booleans()),
    )
    arguments = st.fixed_dictionaries({
        "name": maybe(pool(["P", "Checkout"], [""])),
        "flags": maybe(ordered(flags_, 3)),
        "environments": maybe(st.none() | sequence(ENVIRONMENTS, 3)),
        "max_content_bytes": maybe(pool([2048 * 1024], [600])),
        "strict": maybe(st.booleans()),
        "today": maybe(st.just(date(2026, 11, 30))),
        "overdue": maybe(st.sampled_from(["warning", "error"])),
        "retired_environments": maybe(ordered(ENVIRONMENTS, 1)),
    })
    return arguments


def build_profile(arguments: dict[str, Any]) -> Profile:
    """``Profile(**arguments)``, the name passed positionally as users write it."""
    arguments = dict(arguments)
    return Profile(arguments.pop("name"), arguments.pop("flags"), **arguments)
