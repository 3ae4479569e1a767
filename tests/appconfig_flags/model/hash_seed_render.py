"""Build the property test's inputs from a fixed seed; print how many were accepted and a digest of their output.

Run by ``test_arbitrary_values.py`` under several ``PYTHONHASHSEED`` values: a set iterated on the
way to the output would change the digest. Run: ``python -m tests.appconfig_flags.model.hash_seed_render``.
"""
from __future__ import annotations

import hashlib
import json

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from appconfig_flags.model import FlagValidationError

from .model_inputs import build_profile, profile_arguments

EXAMPLES = 200
PROFILE_ARGUMENTS = profile_arguments(junk=False)
_outputs: list[str] = []


@settings(derandomize=True, max_examples=EXAMPLES, database=None, deadline=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(st.data())
def _render_accepted(data: st.DataObject) -> None:
    try:
        profile = build_profile(data.draw(PROFILE_ARGUMENTS))
    except FlagValidationError:
        return
    texts = [profile.render(e) for e in (None, *profile.overridden_environments())]
    _outputs.append("\n".join([*texts, *map(str, profile.warnings)]))


def main() -> None:
    _render_accepted()
    digest = hashlib.sha256("\n\0".join(_outputs).encode()).hexdigest()
    print(json.dumps({"accepted": len(_outputs), "digest": digest}))


if __name__ == "__main__":
    main()
