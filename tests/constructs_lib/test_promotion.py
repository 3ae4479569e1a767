"""Promotion order: plain Python, shared by the constructs, the settings and the pipeline."""
from __future__ import annotations

import pytest

from constructs_lib.promotion import PromotionCycleError, promotion_order


def _order(pairs: list[tuple[str, str | None]]) -> list[str]:
    return [n for n, _ in promotion_order(pairs, name=lambda p: p[0], after=lambda p: p[1])]


@pytest.mark.parametrize(("pairs", "expected"), [
    ([("Beta", None), ("Production", "Beta")], ["Beta", "Production"]),
    ([("Production", "Beta"), ("Beta", None)], ["Beta", "Production"]),
    ([("Prod", "Gamma"), ("Gamma", "Beta"), ("Beta", None), ("Dev", None)], ["Beta", "Gamma", "Prod", "Dev"]),
    ([("Production", "Beta")], ["Production"]),  # Beta lives in another stack or stage
])
def test_each_environment_follows_the_one_it_is_promoted_after(pairs: list[tuple[str, str | None]], expected: list[str]) -> None:
    assert _order(pairs) == expected


def test_a_cycle_is_an_error_naming_it() -> None:
    with pytest.raises(PromotionCycleError, match="Beta -> Production -> Beta|Production -> Beta -> Production"):
        _order([("Dev", None), ("Beta", "Production"), ("Production", "Beta")])
