"""``python -m appconfig_flags.agent_files``: one file per environment, named as the agent expects.

Beta has multi-variant flags, so its file is the Ion retrieval format (its structure is tested in
test_ion.py); Production has none, so its file is retrieval-form JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from appconfig_flags.agent_files import main
from appconfig_flags.model import retrieval_form
from flags import CHECKOUT_FLAGS

ION_SUFFIX = ".application%ion%type=AWS.AppConfig.FeatureFlags"


def test_writes_every_environment_json_or_ion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "agent-local")]) == 0
    printed = capsys.readouterr().out.splitlines()
    files = sorted(p.name for p in (tmp_path / "agent-local").iterdir())
    assert sorted(Path(p).name for p in printed) == files
    assert files == [f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}", "FlagsDemo:Production:CheckoutFlags.json"]
    production = tmp_path / "agent-local" / "FlagsDemo:Production:CheckoutFlags.json"
    assert json.loads(production.read_text()) == retrieval_form(CHECKOUT_FLAGS, "Production")
    beta = (tmp_path / "agent-local" / f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}").read_text()
    assert beta.startswith("$ion_1_0\n'allow-bitcoin-at-checkout'::[\n  [(eq $tier \"gold\"), '''{")


def test_writing_one_form_removes_the_other(tmp_path: Path) -> None:
    (tmp_path / "FlagsDemo:Beta:CheckoutFlags.json").write_text("{}")
    main(["--out", str(tmp_path), "--env", "Beta"])
    assert [p.name for p in tmp_path.iterdir()] == [f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}"]


def test_env_selects_one_environment(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--env", "Production"])
    (only,) = tmp_path.iterdir()
    assert only.name == "FlagsDemo:Production:CheckoutFlags.json"
    assert json.loads(only.read_text()) == {"allow-bitcoin-at-checkout": {"enabled": False},
                                            "new-checkout-layout": {"enabled": False}}


def test_an_unknown_environment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--env", "Gamma"])
    assert "invalid choice: 'Gamma'" in capsys.readouterr().err
