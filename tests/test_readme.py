"""The README's examples are real: its flag example runs and means what its comments say."""
from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT
from tests.dated import undated

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _python_block_after(heading: str) -> str:
    section = README[README.index(heading):]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None, f"no python example after {heading!r}"
    return match.group(1)


def test_the_flag_example_builds_a_valid_profile_and_targets_gold_customers_in_production() -> None:
    names: dict[str, Any] = {}
    exec(compile(_python_block_after("## Change a flag"), "README.md", "exec"), names)  # noqa: S102 (our own README)
    profile, bitcoin, layout = names["CHECKOUT_FLAGS"], names["ALLOW_BITCOIN_AT_CHECKOUT"], names["NEW_CHECKOUT_LAYOUT"]
    assert undated(profile.warnings) == []
    gold = profile.evaluate("Production", bitcoin, {"tier": "gold"}).answer
    assert gold["_variant"] == "gold-tier-discount" and gold["bitcoin-discount-percentage"] == 10
    assert profile.evaluate("Production", bitcoin, {"tier": "silver"}).answer == {"_variant": "everyone-else", "enabled": False}
    assert profile.evaluate("Beta", layout, {"country": "CA", "userId": "user-1004"}).variant in {"compact-layout", "classic-layout"}


def test_the_flag_example_matches_the_catalogue_it_stands_for() -> None:
    from flags import CHECKOUT_FLAGS

    names: dict[str, Any] = {}
    exec(compile(_python_block_after("## Change a flag"), "README.md", "exec"), names)  # noqa: S102
    for environment in ("Beta", "Production"):
        shown, real = names["CHECKOUT_FLAGS"].document(environment), CHECKOUT_FLAGS.document(environment)
        assert shown["values"] == real["values"], environment


def test_the_synth_summary_shown_is_what_make_synth_prints(synthesized: Any) -> None:
    from appconfig_flags.assembly_summary import summarize

    _, assembly = synthesized
    printed = summarize(assembly.get_stack_by_name("FlagsDemo").template)
    shown = README[README.index("FlagsDemo.template.json:"):]
    shown = shown[:shown.index("```")].splitlines()[1:]
    assert [line.removeprefix("  ") for line in shown if line.strip()] == printed
