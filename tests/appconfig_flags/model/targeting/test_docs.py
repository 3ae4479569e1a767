"""docs/targeting.md matches the code: its example runs, its error output and its operator table are real."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from appconfig_flags.model import Flag, FlagValidationError, FlagValue, Profile, Rule, Variant, ctx

DOC = (Path(__file__).resolve().parents[4] / "docs" / "targeting.md").read_text(encoding="utf-8")


def test_the_example_runs() -> None:
    example = re.search(r"```python\n(.*?)```", DOC, re.DOTALL)
    assert example is not None
    exec(compile(example.group(1), "docs/targeting.md", "exec"), {})  # noqa: S102 - our own documentation


def test_the_error_output_is_what_the_profile_raises() -> None:
    shown = re.search(r"```\n(2 problem\(s\) in profile 'CheckoutFlags':.*?)\n```", DOC, re.DOTALL)
    assert shown is not None
    flag = Flag(key="allow-bitcoin-at-checkout", enabled=None, variants=(Variant(name="Default", enabled=False),),
                environments={"Production": FlagValue(variants=(
                    Variant(name="gold", enabled=True, rule='(EQ $tier "gold")'),
                    Variant(name="pilot", enabled=True, rule="(split pct::120 by::$userId)"),
                    Variant(name="Default", enabled=False)))})
    with pytest.raises(FlagValidationError) as error:
        Profile("CheckoutFlags", (flag,), environments=("Beta", "Production"))
    assert str(error.value) == shown.group(1)


ROWS = re.findall(r"^\| `[a-z_` ]+` \| `(Rule\.[^`]+)` \| `([^`]+)`.*\| `(\([^`]+\))` \|$", DOC, re.MULTILINE)


def test_the_operator_table_lists_the_builders() -> None:
    assert {row[2].split()[0][1:] for row in ROWS} == {
        "eq", "gt", "ends_with", "in", "matches", "exists", "split", "and", "or", "not"}


@pytest.mark.parametrize(("builder", "python_form", "text"), ROWS)
def test_each_operator_row_builds_its_canonical_text(builder: str, python_form: str, text: str) -> None:
    names = {"Rule": Rule, "ctx": ctx}
    assert str(eval(builder, names)) == text
    assert str(eval(python_form.replace("\\|", "|"), names)) == text
