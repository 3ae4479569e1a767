"""Constraint patterns whose matching time can explode are refused before any value is matched."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from appconfig_flags.model import Attribute, Flag, FlagValidationError, Profile
from appconfig_flags.model.patterns import backtracking_risk

ROOT = Path(__file__).resolve().parents[3]

#: Each exponential in a backtracking engine on a value that almost matches.
EXPONENTIAL = [r"^(a+)+$", r"(a+)+", r"^(a|a)+$", r"^(\w+\s?)*$", r"^(a*)*$", r"^(x+x+)+y$", r"^(.*?,){11}P",
               r"^((ab)*)+$", r"(?i)^(a+A+)+$"]
#: Each a chain of 3 quantifiers over the same characters (the unanchored search counts as one).
POLYNOMIAL = [r"\d*\d*x", r"^\d*\d*\d*x", r"^.*.*.*=", r"[a-z]+[a-z]+"]
#: Fast in every engine; the first are the patterns of this repository and of AppConfig's examples.
ACCEPTED = [r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$", r"^[a-z]{2}-[a-z]+-[0-9]$",
            r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", r"^([a-z0-9]+-)*[a-z0-9]+$", r"^(\d+,)*\d+$",
            r"^(a|ab)+$", r"^(foo|fob)+$", r"^(?:a|b|c)+$", r"^\d*\d*x", r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            r"^(?=.*\d)(?=.*[a-z]).{8,}$", r"^.*foo.*$", r"eu", r"^https?://[^/]+(/.*)?$", r"[a-z]+"]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_nested_quantifiers_that_can_split_a_text_many_ways_are_a_risk(pattern: str) -> None:
    assert (backtracking_risk(pattern) or "").startswith("nested quantifiers")


@pytest.mark.parametrize("pattern", POLYNOMIAL)
def test_chains_of_quantifiers_over_the_same_characters_are_a_risk(pattern: str) -> None:
    assert "matching time can grow as the power 3" in (backtracking_risk(pattern) or "")


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_patterns_without_catastrophic_backtracking_are_accepted(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


@pytest.mark.parametrize("pattern", ["(" * 250 + "a" + ")" * 250, "(?:a|" * 200 + "b" + ")" * 200])
def test_groups_nested_too_deep_to_analyse_are_a_risk_not_a_crash(pattern: str) -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute.string("s", pattern=pattern),), values={"s": "a"}),))
    assert {p.rule for p in error.value.problems} <= {"pattern-backtracking", "pattern"}


def test_a_flag_object_with_such_a_pattern_is_refused_with_a_clear_message() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (Flag(key="f", attributes=(Attribute.string("code", pattern="^(a+)+$"),),
                           values={"code": "a" * 1000 + "!"}),))
    (problem,) = error.value.problems
    assert (problem.path, problem.rule, problem.value) == ("P/f/code", "pattern-backtracking", "^(a+)+$")
    assert "rewrite it without the nesting (e.g. ^(a+)+$ as ^a+$)" in str(problem)


def test_a_loaded_document_with_such_a_pattern_loads_with_a_warning_and_its_values_unmatched() -> None:
    text = ('{"version":"1","flags":{"f":{"attributes":{"code":{"constraints":{"type":"string","pattern":"^(a+)+$"}}}}},'
            '"values":{"f":{"enabled":true,"code":"b"}}}')  # no match: a value-pattern problem, were it matched
    profile = Profile.from_document("D", text)
    assert [(w.path, w.rule) for w in profile.warnings] == [("D/f/code", "pattern-backtracking")]


def test_the_pathological_case_finishes_in_a_fresh_process_with_its_message() -> None:
    # A guard, not a timing assertion: matching this value would take longer than the age of the universe.
    code = textwrap.dedent("""
        from appconfig_flags.model import Attribute, Flag, FlagValidationError, Profile
        try:
            Profile("P", (Flag(key="f", attributes=(Attribute.string("code", pattern="^(a+)+$"),),
                               enabled=True, values={"code": "a" * 1000 + "!"}),
                          Flag(key="g", attributes=(Attribute.string("code", pattern=r"\\d*\\d*\\d*x"),),
                               enabled=True, values={"code": "1" * 1000})))
        except FlagValidationError as error:
            print(error)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2 problem(s) in profile 'P':"
    assert "P/f/code: [pattern-backtracking] nested quantifiers" in result.stdout
    assert "P/g/code: [pattern-backtracking] matching time can grow as the power 4" in result.stdout
