"""The summary `make synth` prints after `cdk synth`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.synth_summary import main, summarize


def test_the_summary_names_what_the_flagsdemo_stack_declares(synthesized: Any) -> None:
    _, assembly = synthesized
    lines = summarize(assembly.get_stack_by_name("FlagsDemo").template)
    assert lines == [
        "application FlagsDemo",
        "  environment Beta: 1 alarm monitor(s)",
        "  environment Production: 1 alarm monitor(s)",
        "  profile CheckoutFlags (AWS.AppConfig.FeatureFlags)",
        "    CheckoutFlags flags for Beta: allow-bitcoin-at-checkout=on",
        "    CheckoutFlags flags for Production: allow-bitcoin-at-checkout=off",
        "  strategy FlagsDemo.BetaBake5Minutes: LINEAR 100% over 0 min, bake 5 min",
        "  deployment CheckoutFlags to Beta with FlagsDemo.BetaBake5Minutes",
        "  deployment CheckoutFlags to Production with AppConfig.Canary10Percent20Minutes, after CheckoutFlags to Beta",
    ]


def test_an_empty_output_folder_is_an_error(tmp_path: Path, capsys: Any) -> None:
    assert main(["synth_summary", str(tmp_path)]) == 1
    assert "no templates in" in capsys.readouterr().err
    (tmp_path / "Other.template.json").write_text(json.dumps({"Resources": {}}))
    assert main(["synth_summary", str(tmp_path)]) == 0
    assert "Other.template.json: (no AppConfig resources)" in capsys.readouterr().out
