"""``split``: this project's deterministic bucketing, and the weighted-split builder.

AppConfig documents what ``split`` promises, not how it hashes ("Understanding multi-variant
feature flag rules",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules.html):
``pct`` percent of traffic by a consistent hash of the ``by`` value; consistent within the flag
without a ``seed``, across flags, profiles and accounts with one. The hash is not public.

**This is not AppConfig's bucketing: AppConfig Agent may place a user in another variant than
the local evaluator does.** What the local evaluator promises instead:

* determinism across processes, machines and versions: SHA-256 of ``salt + "\\x00" + value``
  (UTF-8), never Python's ``hash()``;
* uniformity: *u*, the digest's first 64 bits read big-endian, is uniform, and the split is true
  iff ``u * 100 < pct * 2**64``, computed exactly;
* nesting: for one salt and value, ``pct::a`` true implies ``pct::b`` true when a ≤ b; so variant
  A ``pct::20`` then B ``pct::25`` gives B 5 %, and A 20 then B 20 gives B nothing, as AWS's
  examples say;
* salt = the seed when given, else the flag key: every unseeded split of one flag shares one hash.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from ..problems import FlagValidationError, Problem
from .rule import PCT_MAX, Not, Rule, Split

if TYPE_CHECKING:
    from hashlib import sha256
else:
    # CPython's own SHA-256 (random.py takes SHA-512 the same way): the same digests, and a service
    # that compiles a split at start-up does not load OpenSSL through hashlib (about 3 ms).
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.10, 3.11
        except ImportError:  # an interpreter built without them
            from hashlib import sha256

_TWO_64 = 2**64
_FIRST_64_BITS = struct.Struct(">Q").unpack_from


def split_position(salt: str, value: str) -> int:
    """Where ``value`` falls for ``salt``: the first 64 bits of SHA-256(salt, NUL, value), 0 to 2**64-1."""
    digest = sha256(f"{salt}\x00{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def split_threshold(pct: int | Decimal) -> int:
    """The positions below which ``pct`` percent lie: ``u < threshold`` iff ``u * 100 < pct * 2**64``."""
    # pct = n / d exactly (an int or a Decimal): the ceiling of n * 2**64 / (d * 100), in integers.
    numerator, denominator = pct.as_integer_ratio()
    return -(-numerator * _TWO_64 // (denominator * PCT_MAX))


def in_split(salt: str, value: str, pct: int | Decimal) -> bool:
    """Whether ``value`` is in the first ``pct`` percent for ``salt`` (see the module's promises)."""
    return split_position(salt, value) < split_threshold(pct)


def split_test(salt: str, pct: int | Decimal) -> Callable[[str], bool]:
    """:func:`in_split` for one salt and pct, with the salt hashed once: a function of the value."""
    salted = sha256(f"{salt}\x00".encode())
    threshold = split_threshold(pct)

    def holds(value: str) -> bool:
        digest = salted.copy()
        digest.update(value.encode())
        return _FIRST_64_BITS(digest.digest())[0] < threshold  # type: ignore[no-any-return]

    return holds


def weighted_split(*, by: str, weights: Mapping[str, int | Decimal], seed: str | None = None,
                   order_proof: bool = False) -> dict[str, Rule]:
    """One rule per variant name giving each its weight (percent) of ``by`` values; the rest get the default.

    Variants are tried in order, so the rules use cumulative percentages of one seed:
    ``{"A": 30, "B": 30}`` → A ``(split pct::30 …)``, B ``(split pct::60 …)``: 30 / 30 / 40.
    ``order_proof=True`` makes each rule hold on its own slice only, whatever the order
    (``(and (split pct::60 …) (not (split pct::30 …)))``). Two plain ``pct::30`` rules would give
    30 / 0 / 70. Weights are ints or Decimals ≥ 0 adding up to at most 100; use the rules in this order.
    """
    problems = []
    total: int | Decimal = 0
    for name, weight in weights.items():
        if type(weight) not in (int, Decimal) or not 0 <= weight <= PCT_MAX:
            problems.append(Problem(f"weighted_split/{name}", "range", "a weight is an int or Decimal from 0 to 100",
                                    weight))
        else:
            total += weight
    if not problems and total > PCT_MAX:
        problems.append(Problem("weighted_split", "range", "the weights add up to more than 100", total))
    if problems:
        raise FlagValidationError(problems, subject="a weighted split")
    out: dict[str, Rule] = {}
    below: int | Decimal = 0
    for name, weight in weights.items():
        upto = below + weight
        rule: Rule = Split(upto, by, seed)
        if order_proof and below:
            rule = rule & Not(Split(below, by, seed))
        out[name] = rule
        below = upto
    return out
