"""``python -m appconfig_flags.agent_files``: one file per environment, named as the agent expects.

An environment with a multi-variant flag gets the Ion retrieval format (its structure is tested in
test_local_variants.py); one without gets retrieval-form JSON. In the demo catalogue both Beta (the
layout split) and Production (the gold-tier Bitcoin discount) have variants; the JSON form is shown
with the tests' own catalogue, whose Production has none.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from appconfig_flags import cli
from appconfig_flags.agent_files import write_agent_files
from appconfig_flags.client.ion import read_ion
from appconfig_flags.model import Profile, retrieval_form

from .targeted_catalogue import TARGETED

ION_SUFFIX = ".application%ion%type=AWS.AppConfig.FeatureFlags"


def test_writes_one_file_per_environment_in_ion_where_flags_have_variants(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["agent-files", "--out", str(tmp_path / "agent-local")]) == 0
    printed = capsys.readouterr().out.splitlines()
    files = sorted(p.name for p in (tmp_path / "agent-local").iterdir())
    assert sorted(Path(p).name for p in printed) == files
    assert files == [f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}", f"FlagsDemo:Production:CheckoutFlags{ION_SUFFIX}"]
    beta = (tmp_path / "agent-local" / f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}").read_text()
    # Beta: the Bitcoin flag is basic (one answer), the layout flag is targeted (rules, then the default).
    assert beta.startswith("$ion_1_0\n'allow-bitcoin-at-checkout'::'''{\"enabled\":true,")
    assert "'new-checkout-layout'::[\n  [(and (in $country [\"US\", \"CA\"]) (split pct::20" in beta
    production = (tmp_path / "agent-local" / f"FlagsDemo:Production:CheckoutFlags{ION_SUFFIX}").read_text()
    assert production.startswith("$ion_1_0\n'allow-bitcoin-at-checkout'::[\n  [(eq $tier \"gold\"), '''{")


def test_an_environment_without_variants_gets_retrieval_form_json(tmp_path: Path) -> None:
    (written,) = write_agent_files(tmp_path, environments=["Production"], profiles=[TARGETED])
    assert written.name == "FlagsDemo:Production:CheckoutFlags.json"
    assert json.loads(written.read_text()) == retrieval_form(TARGETED, "Production") == {
        "allow-bitcoin-at-checkout": {"enabled": False}, "new-checkout-layout": {"enabled": False}}


def test_writing_one_form_removes_the_other(tmp_path: Path) -> None:
    (tmp_path / "FlagsDemo:Beta:CheckoutFlags.json").write_text("{}")
    cli.main(["agent-files", "--out", str(tmp_path), "--env", "Beta"])
    assert [p.name for p in tmp_path.iterdir()] == [f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}"]
    (tmp_path / f"FlagsDemo:Production:CheckoutFlags{ION_SUFFIX}").write_text("$ion_1_0\n")
    write_agent_files(tmp_path, environments=["Production"], profiles=[TARGETED])  # no variants there: JSON
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"FlagsDemo:Beta:CheckoutFlags{ION_SUFFIX}",
                                                          "FlagsDemo:Production:CheckoutFlags.json"]


def test_env_selects_one_environment(tmp_path: Path) -> None:
    cli.main(["agent-files", "--out", str(tmp_path), "--env", "Production"])
    (only,) = tmp_path.iterdir()
    assert only.name == f"FlagsDemo:Production:CheckoutFlags{ION_SUFFIX}"
    bitcoin, layout = read_ion(only.read_text())
    assert [rule for rule, _ in bitcoin.variants] == ['(eq $tier "gold")']
    assert bitcoin.answer == {"_variant": "everyone-else", "enabled": False}
    assert (layout.key, layout.answer) == ("new-checkout-layout", {"enabled": False})


def test_an_unknown_environment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["agent-files", "--out", str(tmp_path), "--env", "Gamma"]) == 2
    assert capsys.readouterr().err == ("error: --env 'Gamma' is not an environment of the catalogue (its environments: "
                                       "Beta, Production)\n")


def test_the_catalogue_is_named_not_imported_by_the_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Installed in a service, the command has no `flags` package of ours: it reads the one it is given.
    source = (Path(__file__).resolve().parents[3] / "appconfig_flags" / "agent_files.py").read_text()
    assert "from flags" not in source and "import flags" not in source
    assert cli.main(["agent-files", "--out", str(tmp_path), "--catalogue", "no_such_catalogue"]) == 2
    assert "cannot import the catalogue 'no_such_catalogue'" in capsys.readouterr().err
    assert cli.main(["agent-files", "--out", str(tmp_path), "--catalogue",
                     "tests.appconfig_flags.client.targeted_catalogue", "--env", "Production"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["FlagsDemo:Production:CheckoutFlags.json"]


def test_a_profile_naming_no_application_is_refused_without_writing(tmp_path: Path) -> None:
    nameless = Profile("CheckoutFlags", TARGETED.flags, environments=TARGETED.environments)
    with pytest.raises(ValueError, match="profile 'CheckoutFlags' names no application"):
        write_agent_files(tmp_path / "out", profiles=[nameless])
    assert [p.name for p in write_agent_files(tmp_path, profiles=[nameless], application="Shop",
                                              environments=["Production"])] == ["Shop:Production:CheckoutFlags.json"]
