"""Date attributes, dates already past, and removed environments: what the catalogue states must be true today."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from appconfig_flags.model import Attribute, Flag, FlagValidationError, FlagValue, Profile, ShortTerm, Variant
from appconfig_flags.model import profile as profile_module
from appconfig_flags.model.dates import DATE_FORMATS, parse_date

TODAY = date(2026, 11, 30)
CHECKOUT_END_DATE_PATTERN = r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$"


def _offer(**fields: Any) -> Flag:
    return Flag(**{"key": "offer", "attributes": (Attribute.date("ends", format="MM/DD/YYYY", end=True),), **fields})


@pytest.mark.parametrize(("name", "text", "day"), [
    ("YYYY-MM-DD", "2028-02-29", date(2028, 2, 29)),
    ("MM/DD/YYYY", "12/31/2026", date(2026, 12, 31)),
    ("DD/MM/YYYY", "31/12/2026", date(2026, 12, 31)),
    ("DD.MM.YYYY", "31.12.2026", date(2026, 12, 31)),
])
def test_each_format_renders_a_pattern_that_matches_its_dates_and_reads_them(name: str, text: str, day: date) -> None:
    attribute = Attribute.date("d", format=name)
    assert attribute.to_json() == {"constraints": {"type": "string", "pattern": DATE_FORMATS[name].pattern}}
    assert re.search(DATE_FORMATS[name].pattern, text)
    assert parse_date(text, name) == day
    for other in DATE_FORMATS:
        if other != name and other[:2] != name[:2]:
            assert parse_date(text, other) != day


def test_the_month_day_year_format_renders_the_catalogues_hand_written_pattern() -> None:
    assert Attribute.date("d", format="MM/DD/YYYY").constraints.pattern == CHECKOUT_END_DATE_PATTERN  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["02/30/2026", "02/29/2027", "04/31/2026", "06/31/2026", "09/31/2026", "11/31/2026"])
def test_days_the_calendar_does_not_have_are_refused_with_path_and_value(text: str) -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (_offer(values={"ends": text}),), today=TODAY)
    assert [(p.path, p.rule, p.value) for p in error.value.problems] == [("P/offer/ends", "value-date", text)]
    assert "is not a calendar date written MM/DD/YYYY" in str(error.value)


def test_a_value_off_the_pattern_is_a_pattern_problem_only() -> None:
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (_offer(values={"ends": "2026-12-31"}),), today=TODAY)
    assert [p.rule for p in error.value.problems] == ["value-pattern"]


def test_dates_are_checked_in_environments_and_variants_with_their_paths() -> None:
    flag = _offer(
        environments={"Beta": FlagValue(values={"ends": "02/30/2027"}),
                      "Prod": FlagValue(variants=(Variant(name="V", enabled=True, rule='(eq $tier "gold")',
                                                          values={"ends": "11/31/2027"}),
                                                  Variant(name="D", enabled=False)))})
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (flag,), today=TODAY)
    assert sorted((p.path, p.rule) for p in error.value.problems) == [
        ("P@Beta/offer/ends", "value-date"), ("P@Prod/offer/_variants[0]/ends", "value-date")]


def test_an_end_date_already_past_warns_and_overdue_error_makes_it_an_error() -> None:
    flag = _offer(enabled=True, values={"ends": "11/29/2026"})
    (warning,) = Profile("P", (flag,), today=TODAY).warnings
    assert (warning.path, warning.rule, warning.value) == ("P/offer/ends", "end-date-past", "11/29/2026")
    assert "1 day(s) before 2026-11-30" in warning.message
    assert Profile("P", (flag,), today=date(2026, 11, 29)).warnings == ()
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (flag,), today=TODAY, overdue="error")
    assert [p.rule for p in error.value.problems] == ["end-date-past"]


def test_a_date_that_is_not_an_end_date_is_never_past() -> None:
    flag = Flag(key="f", attributes=(Attribute.date("starts"),), values={"starts": "2020-01-01"})
    assert Profile("P", (flag,), today=TODAY).warnings == ()


def test_a_short_term_flag_past_its_remove_by_warns_or_fails_the_synth() -> None:
    flag = Flag(key="f", short_term=ShortTerm(remove_by="2026-10-31"))
    (warning,) = Profile("P", (flag,), today=TODAY).warnings
    assert (warning.path, warning.rule, warning.value) == ("P/f/_deprecation/date", "short-term-overdue", "2026-10-31")
    assert "30 day(s) ago" in str(warning)
    with pytest.raises(FlagValidationError) as error:
        Profile("P", (flag,), today=TODAY, overdue="error")
    assert str(error.value).splitlines()[1].startswith("  - P/f/_deprecation/date: [short-term-overdue]")


def test_without_today_the_synth_day_is_read_only_when_a_flag_has_such_a_date(monkeypatch: pytest.MonkeyPatch) -> None:
    class Clock(date):
        calls = 0

        @classmethod
        def today(cls) -> Clock:
            cls.calls += 1
            return cls(2030, 1, 1)

    monkeypatch.setattr(profile_module, "date", Clock)
    Profile("P", (Flag(key="f"),))
    assert Clock.calls == 0
    profile = Profile("P", (Flag(key="f", short_term=ShortTerm(remove_by="2027-06-30")),))
    assert Clock.calls == 1
    assert [w.rule for w in profile.warnings] == ["short-term-overdue"]


def test_a_retired_environment_is_dropped_with_a_warning_naming_the_flags() -> None:
    flags = (Flag(key="f", environments={"Beta": FlagValue(enabled=True), "Production": FlagValue(enabled=False)}),
             Flag(key="g", environments={"Beta": FlagValue(enabled=True)}), Flag(key="h"))
    profile = Profile("P", flags, environments=("Production",), retired_environments=("Beta",))
    (warning,) = profile.warnings
    assert (warning.path, warning.rule, warning.value) == ("P@Beta", "retired-environment", "Beta")
    assert "flags ['f', 'g'] still hold values for this retired environment" in warning.message
    assert profile.overridden_environments() == ("Production",)
    assert profile.render("Beta") == profile.render()
    assert json.loads(profile.render())["values"]["g"] == {"enabled": False}
    assert profile.flag("h") is flags[2]


def test_without_the_explicit_setting_an_override_of_an_undeclared_environment_names_the_flag() -> None:
    flags = (Flag(key="f", environments={"Beta": FlagValue(enabled=True)}),)
    with pytest.raises(FlagValidationError) as error:
        Profile("P", flags, environments=("Production",))
    assert [(p.path, p.rule, p.value) for p in error.value.problems] == [("P@Beta/f", "unknown-environment", "Beta")]
