"""Local evaluation: LocalSource, the watched catalogue and Ion agent files pick variants in memory.

Against the tests' own catalogue (targeted_catalogue.py), not the demo's: Beta has variants, Production none.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appconfig_flags.agent_files import write_agent_files
from appconfig_flags.client import (
    CatalogueFileSource,
    ClientEvent,
    FlagsClient,
    LocalSource,
    Resolution,
    Snapshot,
    WatchedFileSource,
)
from appconfig_flags.client.ion import read_ion, write_ion
from appconfig_flags.client.targeting import ion_flags, snapshot_from_ion
from appconfig_flags.model import Flag, Profile, Rule, Variant

from .targeted_catalogue import BITCOIN, LAYOUT, TARGETED
from .test_client import ScriptedSource

GOLD = {"tier": "gold", "country": "GB", "userId": "user-2042"}
IN_SPLIT = {"tier": "standard", "country": "CA", "userId": "user-1004"}


def started(client: FlagsClient) -> FlagsClient:
    assert client.start(wait=30)
    return client


def check_beta_variants(client: FlagsClient) -> None:
    gold = client.get(BITCOIN, GOLD)
    assert (gold.variant, gold.value("bitcoin-discount-percentage"), gold.resolution) == (
        "gold-tier-discount", 10, Resolution.SERVED)
    assert client.get(BITCOIN).variant == "standard-discount"
    assert client.value(BITCOIN, "bitcoin-discount-percentage") == 5
    assert client.get(LAYOUT, IN_SPLIT).value("layout") == "compact"
    assert client.enabled(LAYOUT, IN_SPLIT) and not client.enabled(LAYOUT, GOLD)
    assert client.get(LAYOUT, GOLD).variant == "classic-layout"


def test_local_source_evaluates_each_context_in_memory() -> None:
    client = started(FlagsClient(LocalSource(TARGETED, "Beta"), catalogue=TARGETED, background=False))
    check_beta_variants(client)
    assert client.get(BITCOIN, GOLD) is client.get(BITCOIN, {"tier": "gold"})  # one state per variant and version
    for userid in (f"user-{i}" for i in range(200)):  # the client answers as the profile's own evaluator
        context = {"country": "US", "userId": userid}
        assert client.get(LAYOUT, context).variant == TARGETED.evaluate("Beta", LAYOUT, context).variant


def test_production_has_no_variants_so_the_context_changes_nothing() -> None:
    client = started(FlagsClient(LocalSource(TARGETED, "Production"), catalogue=TARGETED,
                                 background=False))
    assert client.get(BITCOIN, GOLD) is client.get(BITCOIN)
    assert client.get(BITCOIN, GOLD).variant is None


def test_a_bad_value_a_rule_reads_is_the_declared_default_with_the_reason_never_an_exception() -> None:
    client = started(FlagsClient(LocalSource(TARGETED, "Beta"), catalogue=TARGETED, background=False))
    state = client.get(BITCOIN, {"tier": ["gold"], "when": object()})
    assert state.resolution is Resolution.INVALID_CONTEXT and "context 'tier'" in (state.error or "")
    assert not state.enabled and state.value("default-currency") == "USD"


def test_values_no_rule_of_the_flag_reads_change_nothing() -> None:
    client = started(FlagsClient(LocalSource(TARGETED, "Beta"), catalogue=TARGETED, background=False))
    state = client.get(BITCOIN, {"tier": "gold", "when": object(), "tags": ["a"], "fn": "Sulisław", "x": "a,b"})
    assert (state.resolution, state.variant) == (Resolution.SERVED, "gold-tier-discount")


def test_in_process_a_rule_reads_any_text_the_agent_header_could_not_carry() -> None:
    client = started(FlagsClient(LocalSource(TARGETED, "Beta"), catalogue=TARGETED, background=False))
    for text in ("gold,platinum", " gold", "göld", ""):
        state = client.get(BITCOIN, {"tier": text})
        assert (state.resolution, state.variant) == (Resolution.SERVED, "standard-discount"), text
    too_long = client.get(BITCOIN, {"tier": "g" * 1025})
    assert too_long.resolution is Resolution.INVALID_CONTEXT and "more than the 1024" in (too_long.error or "")


def test_the_watched_catalogue_evaluates_variants(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "targeted").mkdir(parents=True)
    shutil.copyfile(Path(__file__).with_name("targeted_catalogue.py"), root / "targeted" / "__init__.py")
    source = CatalogueFileSource("CheckoutFlags", "Beta", root=root, module="targeted")
    client = started(FlagsClient(source, catalogue=TARGETED, background=False))
    check_beta_variants(client)


def test_the_agent_files_in_ion_are_read_and_evaluated(tmp_path: Path) -> None:
    write_agent_files(tmp_path, environments=["Beta"], profiles=[TARGETED])
    source = WatchedFileSource.agent_local_file(tmp_path, application="FlagsDemo", environment="Beta",
                                                profile="CheckoutFlags")
    client = started(FlagsClient(source, catalogue=TARGETED, background=False))
    check_beta_variants(client)
    assert client.status().version_label is not None and source.problem is None


def test_the_ion_retrieval_format_round_trips_and_names_its_parts() -> None:
    text = write_ion(ion_flags(TARGETED, "Beta"))
    flags = read_ion(text)
    assert [f.key for f in flags] == [BITCOIN.key, LAYOUT.key]
    bitcoin = flags[0]
    assert [rule for rule, _ in bitcoin.variants] == ['(eq $tier "gold")']
    assert Rule.parse(bitcoin.variants[0][0]) == Rule.eq("tier", "gold")
    assert bitcoin.variants[0][1] == {"_variant": "gold-tier-discount", "enabled": True,
                                      "bitcoin-discount-percentage": 10, "bitcoin-discount-end-date": "12/31/2026"}
    assert flags[1].answer == {"_variant": "classic-layout", "enabled": False}  # no values: disabled
    assert read_ion(write_ion(flags)) == flags


def test_ion_strings_escape_what_would_end_them() -> None:
    profile = Profile("P", (Flag(key="quotes", attributes=(), variants=(
        Variant(name="o'brien", enabled=True, rule=Rule.eq("name", "it's '''odd''' \\ here")),
        Variant(name="rest", enabled=False))),))
    text = write_ion(ion_flags(profile, None))
    (flag,) = read_ion(text)
    assert flag.variants[0][1]["_variant"] == "o'brien"
    snapshot = snapshot_from_ion(text, version_label="v")
    assert snapshot.targeting["quotes"].evaluator.evaluate({"name": "it's '''odd''' \\ here"}).variant == "o'brien"


def test_a_basic_profile_is_plain_annotated_strings() -> None:
    text = write_ion(ion_flags(TARGETED, "Production"))
    assert text == ("$ion_1_0\n'allow-bitcoin-at-checkout'::'''{\"enabled\":false}'''\n"
                    "'new-checkout-layout'::'''{\"enabled\":false}'''\n")


@pytest.mark.parametrize(("text", "message"), [
    ("$ion_1_0\n'a'::'''{\"enabled\":true}'''\n'a'::'''{}'''", "line 3, column 1: flag 'a' appears twice"),
    ("'a'::[[(eq $x \"1\"), '''{}''']", "line 1, column 30: expected ','"),
    ("'a'::[[(eq $x \"1\", '''{}'''], '''{}''']", "unbalanced parentheses"),
    ("'a' '''{}'''", "has no '::'"),
    ("'a'::'''[1]'''", "the JSON is a list, not an object"),
    ("'a'::'''{\"enabled\":true}", "unterminated long string"),
])
def test_text_that_is_not_the_format_names_the_place(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_ion(text)


def test_a_broken_ion_file_keeps_the_last_good_values(tmp_path: Path) -> None:
    write_agent_files(tmp_path, environments=["Beta"], profiles=[TARGETED])
    source = WatchedFileSource.agent_local_file(tmp_path, application="FlagsDemo", environment="Beta",
                                                profile="CheckoutFlags")
    client = started(FlagsClient(source, catalogue=TARGETED, background=False))
    (path,) = tmp_path.iterdir()
    path.write_text(path.read_text().replace('(eq $tier "gold")', "(eq $tier"))
    client._next_due = 0  # poll now
    client.poll()
    assert source.problem is not None and "unbalanced parentheses" in source.problem
    assert client.get(BITCOIN, GOLD).variant == "gold-tier-discount"


def test_a_changed_rule_is_a_change_even_when_the_answer_without_context_is_the_same() -> None:
    def snapshot(rule: str, label: str) -> Snapshot:
        flag = Flag(key="f", attributes=(), variants=(Variant(name="a", enabled=True, rule=rule),
                                                       Variant(name="b", enabled=False)))
        return LocalSource(Profile("P", (flag,)), None).fetch()  # type: ignore[return-value]

    source = ScriptedSource(snapshot('(eq $tier "gold")', "1"), snapshot('(eq $tier "silver")', "2"),
                            poll_interval=0.0)
    client = FlagsClient(source, background=False)
    heard: list[ClientEvent] = []
    client.subscribe(lambda event, details: heard.append(event))
    client.poll()
    client.poll()
    assert ClientEvent.CHANGED in heard
    assert client.snapshot is not None and client.snapshot.targeting["f"].rule_of("a") == '(eq $tier "silver")'
