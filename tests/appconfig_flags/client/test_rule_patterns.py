"""No read can hang on a ``matches`` pattern: the model refuses what it refuses in attribute constraints, with the
rule's path, and a served flag holding such a rule is unreadable (its last good value kept, status says why).

``^(a+)+$`` against ``aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!`` takes Python's ``re`` longer than 20 s: these tests
would hang without the refusal, so each read here is also timed.
"""
from __future__ import annotations

import time

import pytest

from appconfig_flags.client import FlagsClient, Snapshot
from appconfig_flags.client.ion import IonFlag, write_ion
from appconfig_flags.client.targeting import snapshot_from_ion, snapshot_from_json
from appconfig_flags.model import Flag, FlagValidationError, Profile, Rule, Variant

from .test_client import ScriptedSource

HANGS = "^(a+)+$"
RULE = f'(matches in::$email pattern::"{HANGS}")'
EMAIL = "a" * 30 + "!"


def test_a_rule_object_refuses_a_pattern_that_could_hang_a_read() -> None:
    with pytest.raises(FlagValidationError, match="nested quantifiers"):
        Rule.matches("email", HANGS)


def test_a_profile_refuses_such_a_rule_text_with_the_rules_path() -> None:
    flag = Flag(key="promo", enabled=False, variants=(Variant(name="a-team", enabled=True, rule=RULE),
                                                     Variant(name="others", enabled=False)))
    with pytest.raises(FlagValidationError) as caught:
        Profile("Promo", (flag,))
    (problem,) = [p for p in caught.value.problems if p.rule == "regex"]
    assert problem.path == "Promo/promo/_variants/a-team" and "nested quantifiers" in problem.message


def test_a_linear_pattern_is_still_accepted() -> None:
    assert Rule.matches("email", r"^[a-z.]+@example\.com$").evaluate({"email": "jo@example.com"}) is True


def variants(rule: str) -> list[dict[str, object]]:
    return [{"name": "a-team", "enabled": True, "rule": rule}, {"name": "others", "enabled": False}]


def client_reading(*snapshots: Snapshot) -> FlagsClient:
    client = FlagsClient(ScriptedSource(*snapshots, poll_interval=0.0), background=False)
    for _ in snapshots:
        client.poll()
    return client


def timed_read(client: FlagsClient) -> tuple[object, float]:
    start = time.perf_counter()
    found = client.targeted("promo", {"email": EMAIL})
    return found, time.perf_counter() - start


def test_served_json_variants_with_such_a_rule_keep_the_last_good_value_and_say_why() -> None:
    good = snapshot_from_json({"promo": {"_variants": variants('(eq $email "x")')}}, version_label="1")
    bad = snapshot_from_json({"promo": {"_variants": variants(RULE)}, "other": {"enabled": True}}, version_label="2")
    client = client_reading(good, bad)
    found, seconds = timed_read(client)
    assert seconds < 0.05
    assert found.data is not None and found.data.variant == "others"  # version 1's flag, evaluated
    status = client.status()
    assert status.version_label == "2" and "nested quantifiers" in status.unreadable["promo"]
    assert client.targeted("other").data is not None  # the rest of version 2 is served


def test_served_json_variants_with_such_a_rule_and_no_last_good_value_are_not_served() -> None:
    client = client_reading(snapshot_from_json({"promo": {"_variants": variants(RULE)}}, version_label="1"))
    found, seconds = timed_read(client)
    assert seconds < 0.05 and found.data is None and "nested quantifiers" in (found.error or "")


def test_an_agent_ion_file_with_such_a_rule_makes_that_flag_unreadable_only() -> None:
    text = write_ion([IonFlag("promo", {"_variant": "others", "enabled": False},
                              ((RULE, {"_variant": "a-team", "enabled": True}),)),
                      IonFlag("other", {"enabled": True})])
    snapshot = snapshot_from_ion(text, version_label="1")
    assert "nested quantifiers" in snapshot.unreadable["promo"] and snapshot.flags["other"].enabled
    found, seconds = timed_read(client_reading(snapshot))
    assert seconds < 0.05 and found.data is None
