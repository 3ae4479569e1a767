"""Property: whatever Python values reach the model's constructors, the only error is a FlagValidationError.

Dataclass constructors store what they are given; the checks run when a ``Profile`` is built, so
each example builds one from the objects it made. Rendering and the warnings of an accepted
profile must not raise either.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appconfig_flags.model import FlagValidationError, Profile
from tests.property_examples import examples

from .model_inputs import ANYTHING, build_profile, profile_arguments

ROOT = Path(__file__).resolve().parents[3]
HASH_SEED_MODULE = "tests.appconfig_flags.model.hash_seed_render"
PROFILE_ARGUMENTS = profile_arguments(junk=True)
SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _use(profile: Profile) -> None:
    """Everything a caller does with an accepted profile: it must not raise."""
    for environment in (None, *profile.overridden_environments(), "Unknown"):
        json.loads(profile.render(environment))
        profile.document(environment)
    for warning in profile.warnings:
        str(warning)


@SETTINGS
@given(st.data())
def test_every_constructor_fed_anything_gives_a_profile_or_a_flag_validation_error(data: st.DataObject) -> None:
    try:
        # The factories (Attribute.date) may refuse while the objects are drawn: that is inside the try too.
        profile = build_profile(data.draw(PROFILE_ARGUMENTS))
    except FlagValidationError as error:
        assert error.problems
        str(error)
        return
    _use(profile)


DOCUMENTS = st.one_of(
    ANYTHING,
    st.text(max_size=40),
    st.binary(max_size=20),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                     st.sampled_from(["version", "flags", "values", "f", "enabled", "attributes", "_variants", "a"]),
                     inner, max_size=4), max_leaves=12),
    st.builds(lambda depth: "[" * depth + "]" * depth, st.integers(1, 200_000)),
    st.builds(lambda depth: '{"a":' * depth + "1" + "}" * depth, st.integers(1, 200_000)),
)


@SETTINGS
@given(name=st.one_of(st.text(max_size=5), ANYTHING), document=DOCUMENTS, strict=st.booleans())
def test_from_document_fed_anything_gives_a_profile_or_a_flag_validation_error(name: Any, document: Any, strict: bool) -> None:
    try:
        profile = Profile.from_document(name, document, strict=strict)
    except FlagValidationError as error:
        assert error.problems
        str(error)
        return
    _use(profile)


def test_accepted_profiles_render_the_same_whatever_the_hash_seed() -> None:
    """The same generated inputs, built and rendered in processes with different ``PYTHONHASHSEED``."""
    # Two seeds, side by side (each is a few seconds of Hypothesis): across 200 inputs they order some set of
    # two or more strings differently, so a set iterated on the way to the output changes the digest. The 200
    # hold in a local run too: warnings put in hash order on purpose changed the digest at 200 inputs, not at 50.
    runs = [subprocess.Popen([sys.executable, "-m", HASH_SEED_MODULE], cwd=ROOT, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for seed in ("0", "4242")]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        outputs.append(json.loads(out))
    assert outputs[0]["accepted"] >= 50, outputs[0]  # enough accepted inputs for the comparison to mean something
    assert outputs[0]["digest"] == outputs[1]["digest"], outputs
