"""The hash behind ``split``: where a value falls for a salt (SHA-256), and the threshold of a percentage.

:mod:`.split` states what it promises (not AppConfig's bucketing). Below the rule objects: they
compile a ``split`` with it, and the weighted-split builder in :mod:`.split` builds rules.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from .syntax import PCT_MAX

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
