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

from collections.abc import Mapping
from decimal import Decimal

from ..problems import FlagValidationError, Problem
from .bucket import in_split, split_position, split_test, split_threshold
from .rule import PCT_MAX, Not, Rule, Split

# The hash lives in .bucket, below the rule objects that compile a split; its names are exported here too.
__all__ = ["in_split", "split_position", "split_test", "split_threshold", "weighted_split"]

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
