"""Findings that depend on the day the suite runs, so that "no warnings" tests hold on any day.

A short-term flag past its ``remove_by`` or an end date already past is the catalogue's to-do list,
shown from that day on; ``tests/appconfig_flags/model/test_dates.py`` tests them with a fixed day.
"""
from __future__ import annotations

from collections.abc import Iterable

from appconfig_flags.model import Problem

#: Rule ids of the warnings that appear once a date in the catalogue has passed.
DATED_RULES = frozenset({"short-term-overdue", "end-date-past"})
#: The same warnings as synth reports them (CDK annotations of the profile construct).
DATED_ANNOTATIONS = frozenset(f"Annotation::flag-model:{rule}" for rule in DATED_RULES)


def undated(warnings: Iterable[Problem]) -> list[Problem]:
    """``warnings`` without those that only say a date in the catalogue has passed."""
    return [w for w in warnings if w.rule not in DATED_RULES]


def undated_lines(lines: Iterable[str]) -> list[str]:
    """Output lines of ``make check`` without its dated warnings."""
    return [line for line in lines if not any(f"[{rule}]" in line for rule in DATED_RULES)]


def failed_reports(report: dict[str, object]) -> list[dict[str, object]]:
    """The validation report's plugin reports that are findings (dated annotations left out)."""
    out = []
    for plugin in report["pluginReports"]:  # type: ignore[attr-defined]
        violations = [v for v in plugin.get("violations", []) if v["ruleName"] not in DATED_ANNOTATIONS]
        if plugin["pluginName"] == "Construct Annotations" and not violations:
            continue
        if plugin.get("summary", {}).get("status") == "success":
            continue
        out.append(plugin)
    return out
