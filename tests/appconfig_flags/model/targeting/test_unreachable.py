"""Warnings for variants no context can reach, and no warning where some context does."""
from __future__ import annotations

import pytest

from appconfig_flags.model import Flag, Profile, Rule, Variant

S20 = '(split pct::20 by::$u seed::"s")'


def _warnings(*rules: str) -> list[tuple[str, str]]:
    variants = (*(Variant(name=f"v{i}", enabled=True, rule=rule) for i, rule in enumerate(rules)),
                Variant(name="Default", enabled=False))
    profile = Profile("P", (Flag(key="f", enabled=None, variants=variants),))
    return [(w.path.rsplit("/", 1)[1], w.message) for w in profile.warnings if w.rule == "unreachable-variant"]


@pytest.mark.parametrize(("rules", "unreachable", "why"), [
    ((S20, S20), "v1", "variant 'v0' before it matches every context this one does"),
    ((S20, '(split pct::10 by::$u seed::"s")'), "v1", "variant 'v0' before it"),
    (("(split pct::20 by::$u)", "(split pct::20 by::$u)"), "v1", "variant 'v0' before it"),
    (('(eq $t "a")', '(and (eq $t "a") (gt $n 1))'), "v1", "variant 'v0' before it"),
    (('(or (eq $t "a") (eq $t "b"))', '(eq $t "b")'), "v1", "variant 'v0' before it"),
    (('(exists key::"t")', '(eq $t "b")'), "v1", "variant 'v0' before it"),
    (("(not (split pct::0 by::$u))", '(eq $t "b")'), "v1 Default", "variant 'v0' before it matches every context"),
    (("(split pct::0 by::$u)",), "v0", "no context satisfies this rule"),
    (('(exists key::"t")', '(not (exists key::"t"))'), "Default", "the default is never served"),
    (('(or (eq $t "a") (not (eq $t "a")))',), "Default", "the default is never served"),
])
def test_a_variant_no_context_reaches_is_a_warning(rules: tuple[str, ...], unreachable: str, why: str) -> None:
    found = _warnings(*rules)
    assert [name for name, _ in found] == unreachable.split()
    assert why in found[0][1]


@pytest.mark.parametrize("rules", [
    (S20, '(split pct::25 by::$u seed::"s")'),
    (S20, '(split pct::20 by::$u seed::"t")'),
    (S20, '(split pct::20 by::$v seed::"s")'),
    ('(eq $t "a")', '(eq $t "b")'),
    ('(and (eq $t "a") (gt $n 1))', '(eq $t "a")'),
    ("(split pct::100 by::$u)",),  # A missing userId still gets the default.
    ('(eq $t "a")', '(not (eq $t "b"))'),
])
def test_variants_some_context_reaches_get_no_warning(rules: tuple[str, ...]) -> None:
    assert _warnings(*rules) == []


def test_a_rule_object_and_its_text_are_the_same_rule_for_the_analysis() -> None:
    variants = (Variant(name="a", enabled=True, rule=Rule.split(20, "u", "s")),
                Variant(name="b", enabled=True, rule=S20.replace("$u", "$u ")), Variant(name="D", enabled=False))
    profile = Profile("P", (Flag(key="f", enabled=None, variants=variants),))
    assert [(w.path, w.value) for w in profile.warnings] == [("P/f/_variants/b", "b")]
