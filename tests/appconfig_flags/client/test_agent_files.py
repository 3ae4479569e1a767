"""``python -m appconfig_flags.agent_files``: one retrieval-form file per environment, named as the agent expects."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from appconfig_flags.agent_files import main
from appconfig_flags.model import retrieval_form
from flags import CHECKOUT_FLAGS


def test_writes_every_environment_in_retrieval_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "agent-local")]) == 0
    printed = capsys.readouterr().out.splitlines()
    files = sorted(p.name for p in (tmp_path / "agent-local").iterdir())
    assert sorted(Path(p).name for p in printed) == files
    assert files == ["FlagsDemo:Beta:CheckoutFlags.json", "FlagsDemo:Production:CheckoutFlags.json"]
    for environment in ("Beta", "Production"):
        path = tmp_path / "agent-local" / f"FlagsDemo:{environment}:CheckoutFlags.json"
        assert json.loads(path.read_text()) == retrieval_form(CHECKOUT_FLAGS, environment)


def test_env_selects_one_environment(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--env", "Production"])
    (only,) = tmp_path.iterdir()
    assert only.name == "FlagsDemo:Production:CheckoutFlags.json"
    assert json.loads(only.read_text()) == {"allow-bitcoin-at-checkout": {"enabled": False}}


def test_an_unknown_environment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--env", "Gamma"])
    assert "invalid choice: 'Gamma'" in capsys.readouterr().err
