"""The rule catalogue: every rule is tested both ways, documented, and keys follow the S1 grammar."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from appconfig_flags.model import rules

from .targeting.test_rule_problems import RULE_PROBLEMS, RULE_WARNINGS
from .test_documents import TEXT_PROBLEMS
from .test_experiments import EXPERIMENT_PROBLEMS
from .test_objects import MODEL_PROBLEMS, MODEL_WARNINGS
from .test_profile import AUTHORING_PROBLEMS
from .test_schema import PROBLEMS, WARNINGS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "flag-model.md"
README = Path(__file__).resolve().parents[3] / "README.md"


def _rules_of(cases: list[object]) -> set[str]:
    return {case.values[0].rule for case in cases}  # type: ignore[attr-defined]


def test_every_catalogued_rule_has_a_passing_and_a_failing_case() -> None:
    assert _rules_of(PROBLEMS + WARNINGS + TEXT_PROBLEMS + AUTHORING_PROBLEMS + RULE_PROBLEMS + RULE_WARNINGS
                     + MODEL_PROBLEMS + MODEL_WARNINGS + EXPERIMENT_PROBLEMS) == set(rules.RULES)


def test_the_warning_cases_are_exactly_the_rules_catalogued_as_warnings() -> None:
    assert _rules_of(WARNINGS + RULE_WARNINGS + MODEL_WARNINGS) == {r.id for r in rules.RULES.values() if r.warning}


def test_the_flag_model_guide_lists_every_rule() -> None:
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert listed == set(rules.RULES)


def test_the_readme_sends_readers_to_the_complete_rule_list() -> None:
    # The README stays short: the rule table lives in docs/flag-model.md (checked above).
    assert "[docs/flag-model.md](docs/flag-model.md) (the model, **every rule enforced**" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize(("key", "why"), [
    ("a", None),
    ("a" + "B0_-" * 15 + "xyz", None),
    ("", "a key must not be empty"),
    ("Abc", "a key must start with a lower-case ASCII letter"),
    ("a b", "a key may hold only ASCII letters, digits, '_' and '-'"),
    ("abc\n", "a key may hold only ASCII letters, digits, '_' and '-'"),
    ("a" * 65, "a key has at most 64 characters, this one has 65"),
    (5, "a key must be a string"),
])
def test_key_grammar_explains_itself(key: object, why: str | None) -> None:
    assert rules.key_problem(key) == why


@pytest.mark.parametrize(("value", "number", "integer"), [
    (1, True, True), (2.0, True, True), (1.5, True, False), (True, False, False),
    (float("nan"), False, False), (float("inf"), False, False), ("1", False, False),
])
def test_json_numbers_and_integers(value: object, number: bool, integer: bool) -> None:
    assert (rules.is_number(value), rules.is_integer(value)) == (number, integer)
