"""The context encoder: the text AppConfig Agent receives, and what it refuses to send."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from appconfig_flags.model import encode_context
from appconfig_flags.model.targeting import context_header


def test_each_type_is_encoded_as_the_policy_says() -> None:
    when = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-8)))
    assert encode_context({"tier": "gold member", "beta": False, "age": 70, "ratio": 0.1, "price": Decimal("1.50"),
                           "signup": when}) == {
        "tier": "gold member", "beta": "false", "age": "70", "ratio": "0.1", "price": "1.50",
        "signup": "2026-03-01T09:30:00-08:00"}


def test_the_header_is_one_comma_joined_value() -> None:
    assert context_header({"tier": "gold", "age": 70}) == "tier=gold,age=70"
    assert context_header({}) == ""


def test_an_equals_sign_in_a_value_is_sent_as_is() -> None:
    assert encode_context({"q": "a=b"}) == {"q": "a=b"}


@pytest.mark.parametrize(("context", "message"), [
    ({"tier": "gold,platinum"}, "cannot be sent in the Context header"),
    ({"tier": " gold"}, "spaces inside only"),
    ({"tier": "línea"}, "visible ASCII"),
    ({"tier": "a\nb"}, "visible ASCII"),
    ({"tier": ""}, "non-empty"),
    ({"user-id": "1"}, "context key 'user-id'"),
    ({"ratio": float("nan")}, "not a finite number"),
    ({"price": Decimal("Infinity")}, "not a finite number"),
    ({"signup": datetime(2026, 1, 1)}, "has no time zone"),
    ({"day": date(2026, 1, 1)}, "is a date"),
    ({"tags": ["a"]}, "is a list"),
    ({"none": None}, "is a NoneType"),
])
def test_a_value_the_agent_cannot_receive_is_refused_with_its_key(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        encode_context(context)
    assert repr(next(iter(context))) in str(error.value)
