"""A client's first poll reuses the rules the catalogue parsed moments before, in the same process."""
from __future__ import annotations

import uuid

from appconfig_flags.client import FlagsClient, LocalSource
from appconfig_flags.client.targeting import snapshot_from_json
from appconfig_flags.model import Flag, Profile, Variant, ctx
from appconfig_flags.model.targeting import checker

from .test_client import ScriptedSource


def profile_with_text_rules(flags: int = 20) -> Profile:
    tag = uuid.uuid4().hex  # rule texts no other test parsed: the caches start cold for them
    return Profile("Rules", tuple(
        Flag(key=f"f{i}", enabled=False, variants=(
            Variant(name="gold", enabled=True, rule=f'(and (eq $tier "gold-{tag}") (gt $age {i}))'),
            Variant(name="rest", enabled=False))) for i in range(flags)),
        context={"tier": str, "age": int})


def test_served_rule_text_is_not_parsed_again_after_the_catalogue_checked_it() -> None:
    profile = profile_with_text_rules()
    served = {f.key: {"_variants": [v.to_json() for v in f.variants or ()]} for f in profile.flags}
    misses = checker._check_text.cache_info().misses
    client = FlagsClient(ScriptedSource(snapshot_from_json(served, version_label="1")), catalogue=profile,
                         background=False)
    client.poll()
    assert checker._check_text.cache_info().misses == misses  # the profile's parse (with its declaration) reused
    assert client.targeted("f3", {"tier": profile.flags[3].variants[0].rule.split('"')[1], "age": 4}  # type: ignore[union-attr]
                           ).data.variant == "gold"  # type: ignore[union-attr]


def test_a_local_source_compiles_the_catalogues_rule_objects_without_rendering_or_parsing() -> None:
    tag = uuid.uuid4().hex
    flag = Flag(key="f", enabled=False, variants=(Variant(name="gold", enabled=True, rule=ctx("tier") == tag),
                                                 Variant(name="rest", enabled=False)))
    profile = Profile("Objects", (flag,))
    misses = checker._check_text.cache_info().misses
    client = FlagsClient(LocalSource(profile, None), catalogue=profile, background=False)
    client.start()
    assert checker._check_text.cache_info().misses == misses
    assert client.snapshot is not None and client.snapshot.targeting["f"].variants[0] is flag.variants[0]  # type: ignore[index]
    assert client.get(flag, {"tier": tag}).variant == "gold"
