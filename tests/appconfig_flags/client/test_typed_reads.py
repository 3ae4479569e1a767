"""Typed reads: attribute objects carry their value type; an attribute the flag does not declare is an error."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from appconfig_flags.client import FlagsClient, LocalSource, UndeclaredAttributeError
from appconfig_flags.model import Attribute, Flag, FlagValue, Profile
from tests.mypy_runs import mypy

DISCOUNT = Attribute.number("discount", minimum=0, maximum=100)
CURRENCY = Attribute.string("currency", enum=("USD", "BTC"))
REGIONS = Attribute.string_array("regions")
OTHER = Attribute.boolean("other")
FLAG = Flag(key="offer", attributes=(DISCOUNT, CURRENCY, REGIONS), enabled=True,
            values={"discount": 5, "currency": "USD", "regions": ["US"]},
            environments={"Beta": FlagValue(values={"discount": 10, "regions": ("US", "CA")})})
PROFILE = Profile("Shop", (FLAG,), environments=("Beta",))


@pytest.fixture()
def client() -> FlagsClient:
    client = FlagsClient(LocalSource(PROFILE, "Beta"), catalogue=PROFILE, background=False)
    client.start()
    return client


def test_an_attribute_object_reads_the_same_value_as_its_key(client: FlagsClient) -> None:
    assert client.value(FLAG, DISCOUNT) == client.value(FLAG, "discount") == 10
    assert client.value(FLAG, REGIONS) == ("US", "CA")
    assert client.get(FLAG).value(CURRENCY) == client.get(FLAG).value("currency") == "USD"


def test_an_attribute_the_flag_does_not_declare_is_a_clear_error_and_a_string_key_still_gives_none(
        client: FlagsClient) -> None:
    with pytest.raises(UndeclaredAttributeError, match=r"flag 'offer' does not declare the attribute 'other'; "
                                                       r"it declares \['discount', 'currency', 'regions'\]"):
        client.value(FLAG, OTHER)
    with pytest.raises(UndeclaredAttributeError):
        client.get(FLAG).value(OTHER)
    assert client.value(FLAG, "other") is None


# What a service's code looks like to mypy: typed reads, and the mistakes it must report.
TYPED_SERVICE = '''
from collections.abc import Sequence
from typing import Literal

from appconfig_flags.client import FlagsClient, LocalSource
from appconfig_flags.model import Attribute, Flag, Profile

DISCOUNT = Attribute.number("discount", minimum=0, maximum=100)
CURRENCY = Attribute.string("currency", enum=("USD", "BTC"))
REGIONS = Attribute.string_array("regions")
LAUNCH = Attribute.date("launch", format="MM/DD/YYYY")
FLAG = Flag(key="offer", attributes=(DISCOUNT, CURRENCY, REGIONS, LAUNCH))
# Keys stated as Literal types: the flag's attributes are known statically.
TYPED_DISCOUNT: Attribute[float, Literal["discount"]] = Attribute.number("discount")
STRANGER: Attribute[bool, Literal["stranger"]] = Attribute.boolean("stranger")
TYPED_FLAG: Flag[Literal["discount", "currency"]] = Flag(
    key="typed", attributes=(TYPED_DISCOUNT, Attribute.string("currency")))
client = FlagsClient(LocalSource(Profile("P", (FLAG, TYPED_FLAG)), None))

reveal_type(client.value(FLAG, DISCOUNT))
reveal_type(client.value(FLAG, CURRENCY))
reveal_type(client.value(FLAG, REGIONS))
reveal_type(client.value(FLAG, LAUNCH))
reveal_type(client.value(FLAG, "discount"))
reveal_type(client.get(FLAG).value(DISCOUNT))
reveal_type(client.value(TYPED_FLAG, TYPED_DISCOUNT))
percent: float = client.value(FLAG, DISCOUNT) or 0.0
codes: Sequence[str] = client.value(FLAG, REGIONS) or ()
wrong: str = client.value(FLAG, DISCOUNT) or ""  # line: a number read as a string
client.value(TYPED_FLAG, STRANGER)  # line: an attribute the flag does not declare
'''


@pytest.mark.slow  # runs mypy
def test_mypy_sees_the_value_types_of_typed_reads_and_reports_wrong_types_and_undeclared_attributes(
        tmp_path: Path) -> None:
    script = tmp_path / "service.py"
    script.write_text(TYPED_SERVICE)
    result = mypy("--strict", "--follow-imports=silent", str(script), cache="typed-reads")
    revealed = [line.split('"')[1] for line in result.stdout.splitlines() if "note: Revealed type" in line]
    assert revealed[:4] == ["float | None", "str | None", "typing.Sequence[str] | None", "str | None"], result.stdout
    assert revealed[4].startswith("str | int | float | tuple[str, ...]"), result.stdout  # a key: AttributeValue | None
    assert revealed[5:] == ["float | None", "float | None"], result.stdout
    source = TYPED_SERVICE.splitlines()
    expected = [number for number, line in enumerate(source, 1) if "# line" in line]
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [int(line.split(":")[1]) for line in errors] == expected, result.stdout
    assert 'incompatible type "Attribute[float, str]"; expected "Attribute[str, str]"' in errors[0]


def test_sequence_is_what_an_array_read_returns(client: FlagsClient) -> None:
    # Served arrays are tuples, declared defaults may be lists: both are the Sequence the type promises.
    assert isinstance(client.value(FLAG, REGIONS), Sequence)
