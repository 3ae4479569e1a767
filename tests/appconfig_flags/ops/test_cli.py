"""`appconfig-flags`: one argparse tree, every command configured once by the catalogue (pyproject.toml or --catalogue)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from appconfig_flags import cli
from appconfig_flags.catalogue import CatalogueError, load_catalogue, locate
from tests.conftest import ROOT

from .fake_aws import Deployed

ORCHARD = '''
from appconfig_flags import Flag, FlagValue, Profile

RIPE = Flag(key="ripe", environments={"Live": FlagValue(enabled=True)})
ORCHARD_FLAGS = Profile("OrchardFlags", (RIPE,), application="Orchard", environments=("Staging", "Live"))
'''


def _leaves(nodes: dict[str, cli.Command | dict[str, cli.Command]], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, node in nodes.items():
        out += _leaves(node, (*prefix, name)) if isinstance(node, dict) else [(*prefix, name)]
    return out


@pytest.mark.parametrize("path", _leaves(cli.COMMANDS), ids=" ".join)
def test_every_command_is_a_node_of_the_tree_with_its_own_help(path: tuple[str, ...],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: appconfig-flags {' '.join(path)} ")


def test_the_experiments_group_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["experiments", "--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("status", "start", "raise", "stop", "counts", "results"))


def test_no_command_or_an_unknown_one_is_argparses_usage_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err
    assert cli.main(["undo"]) == 2
    assert "invalid choice: 'undo'" in capsys.readouterr().err


def test_only_the_chosen_commands_module_is_imported() -> None:
    code = ("import sys; from appconfig_flags import cli; cli.main(['check', '--help']); "
            "print(sorted(m for m in sys.modules if m.startswith(('boto3', 'appconfig_flags.ops'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.stdout.strip().splitlines()[-1] == "[]"


# -- the catalogue: found once, loaded one way ---------------------------------------------------------------
def _orchard(folder: Path, *, pyproject: str | None = 'catalogue = "orchard_flags.py"') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orchard_flags.py").write_text(ORCHARD, encoding="utf-8")
    if pyproject is not None:
        (folder / "pyproject.toml").write_text(f"[project]\nname = 'orchard'\n\n[tool.appconfig-flags]\n{pyproject}\n",
                                               encoding="utf-8")
    return folder


def test_the_nearest_pyproject_names_the_catalogue_from_any_subfolder(tmp_path: Path) -> None:
    deeper = _orchard(tmp_path / "orchard") / "src" / "deeper"
    deeper.mkdir(parents=True)
    location = locate(cwd=deeper)
    assert (location.target, location.base, location.origin) == (
        "orchard_flags.py", (tmp_path / "orchard").resolve(), str((tmp_path / "orchard" / "pyproject.toml").resolve()))
    catalogue = load_catalogue(cwd=deeper)
    assert [(p.name, p.application, p.environments) for p in catalogue.profiles] == [
        ("OrchardFlags", "Orchard", ("Staging", "Live"))]


@pytest.mark.parametrize("target", ["orchard_flags.py", "orchard_flags", "pkg/", "pkg"])
def test_a_module_a_py_file_and_a_package_folder_are_each_a_catalogue(tmp_path: Path, target: str) -> None:
    folder = _orchard(tmp_path, pyproject=None)
    (folder / "pkg").mkdir()
    (folder / "pkg" / "__init__.py").write_text("from orchard_flags import ORCHARD_FLAGS\n", encoding="utf-8")
    if target == "pkg":
        (folder / "pkg" / "__init__.py").write_text("from orchard_flags import ORCHARD_FLAGS\nPROFILES = (ORCHARD_FLAGS,)\n")
    catalogue = load_catalogue(target, cwd=folder)
    assert [p.name for p in catalogue.profiles] == ["OrchardFlags"]


def test_check_takes_a_file_and_a_package_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    file = _orchard(tmp_path / "x", pyproject=None) / "orchard_flags.py"
    assert cli.main(["check", str(file), "flags/"]) == 0
    out = capsys.readouterr().out
    assert "ok: OrchardFlags in Orchard: 1 flag(s) valid for Staging, Live" in out
    assert "ok: CheckoutFlags in FlagsDemo: 2 flag(s) and 1 experiment(s) valid for Beta, Production" in out


def test_a_missing_catalogue_is_one_line_naming_where_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: no flag catalogue: pass --catalogue MODULE|FILE.py|PACKAGE/, or name it in "
                          "pyproject.toml")
    assert f"read {(tmp_path / 'pyproject.toml').resolve()}: none has a [tool.appconfig-flags] table" in err


@pytest.mark.parametrize(("target", "message"), [
    ("nowhere.py", "is no such file or folder"),
    ("no_such_module", "cannot import the catalogue 'no_such_module': ModuleNotFoundError"),
])
def test_a_catalogue_that_is_not_there_is_one_line(tmp_path: Path, target: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")) as raised:
        load_catalogue(target, cwd=tmp_path)
    assert len(raised.value.lines) == 1


def test_a_bad_flag_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(ORCHARD.replace('key="ripe"', 'key="ri pe"').replace('"Live")', '"Live", "Live")'),
                                     encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue("bad.py", cwd=tmp_path)
    assert raised.value.lines[0] == ("the catalogue 'bad.py' has invalid flags (profile 'OrchardFlags'): "
                                     "2 problem(s)")
    assert any("OrchardFlags/environments" in p and "duplicate-environment" in p for p in raised.value.problems)
    assert any("OrchardFlags/ri pe" in p for p in raised.value.problems)


def test_a_same_named_module_elsewhere_does_not_stand_in_for_the_catalogue(tmp_path: Path) -> None:
    first = _orchard(tmp_path / "a", pyproject=None)
    second = _orchard(tmp_path / "b", pyproject=None)
    (second / "orchard_flags.py").write_text(ORCHARD.replace('"Orchard"', '"Grove"'), encoding="utf-8")
    assert load_catalogue("orchard_flags.py", cwd=first).profiles[0].application == "Orchard"
    assert load_catalogue("orchard_flags.py", cwd=second).profiles[0].application == "Grove"


# -- the application and environments come from the catalogue ------------------------------------------------
def test_status_reads_the_application_and_environments_from_the_catalogue(
        deployed: Deployed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # pyproject.toml names the catalogue: no option needed
    assert cli.main(["status", "--endpoint-url", deployed.fake.endpoint_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("FlagsDemo (application ")
    assert out.index("CheckoutFlags in Beta") < out.index("CheckoutFlags in Production")


def test_off_names_the_command_in_the_version_it_writes(deployed: Deployed, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = cli.main(["off", "--flag", "allow-bitcoin-at-checkout", "--environment", "Beta", "--endpoint-url",
                     deployed.fake.endpoint_url, "--yes", "--no-wait"])
    assert code == 0, capsys.readouterr().err
    created = deployed.fake.operations("CreateHostedConfigurationVersion")[-1]
    assert created.params["Description"].startswith("appconfig-flags off: allow-bitcoin-at-checkout switched off")


def test_a_catalogue_naming_two_applications_asks_which(deployed: Deployed, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path
    (folder / "both.py").write_text(ORCHARD + "from flags import CHECKOUT_FLAGS\n", encoding="utf-8")
    assert cli.main(["status", "--catalogue", str(folder / "both.py"), "--endpoint-url",
                     deployed.fake.endpoint_url]) == 1
    assert capsys.readouterr().err == ("error: the catalogue names 2 applications (Orchard, FlagsDemo): choose one with "
                                       "--application\n")
    assert cli.main(["status", "--catalogue", str(folder / "both.py"), "--application", "FlagsDemo",
                     "--endpoint-url", deployed.fake.endpoint_url]) == 0
