"""The split's threshold is exact: the ceiling of pct * 2**64 / 100, for ints and Decimals."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from appconfig_flags.model.targeting.split import split_position, split_test, split_threshold


def _exact(pct: int | Decimal) -> int:
    exact = Fraction(pct) * 2**64 / 100
    whole = exact.numerator // exact.denominator
    return whole if whole == exact else whole + 1


def test_thresholds_of_whole_and_edge_percentages() -> None:
    assert split_threshold(0) == 0 and split_threshold(100) == 2**64
    assert split_threshold(50) == 2**63 and split_threshold(Decimal("12.5")) == 2**61
    assert split_threshold(1) == 184467440737095517  # 2**64 / 100 = ...516.16: rounded up
    assert split_threshold(Decimal("86.4")) == 15937986879685052597


@given(st.integers(0, 12).flatmap(lambda places: st.decimals(min_value=0, max_value=100, places=places)))
def test_a_decimal_threshold_is_the_exact_ceiling(pct: Decimal) -> None:
    assert split_threshold(pct) == _exact(pct)


@given(st.integers(0, 100))
def test_an_int_threshold_is_the_exact_ceiling(pct: int) -> None:
    assert split_threshold(pct) == _exact(pct)


@given(st.text(max_size=20), st.text(max_size=20))
def test_the_position_is_hashlib_sha256_of_salt_nul_value(salt: str, value: str) -> None:
    digest = hashlib.sha256(f"{salt}\x00{value}".encode()).digest()
    assert split_position(salt, value) == int.from_bytes(digest[:8], "big")
    assert split_test(salt, 30)(value) is (split_position(salt, value) < split_threshold(30))
