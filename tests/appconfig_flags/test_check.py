"""`make check`: the catalogue validated with the model alone, one line per problem as at synth."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from appconfig_flags.check import check_catalogue
from appconfig_flags.model import FlagValidationError
from tests.conftest import ROOT
from tests.dated import undated_lines

BAD_VALUE = """
    from appconfig_flags.model import Attribute, Flag, FlagValue, Profile

    SALE = Flag(key="sale", name="Sale", attributes=(Attribute.number("percent", minimum=0, maximum=100),),
                values={"percent": 10}, environments={"Live": FlagValue(enabled=True, values={"percent": 150})})
    PROFILES = (Profile("ShopFlags", (SALE,), environments=("Test", "Live")),)
"""

WITH_WARNING = """
    from appconfig_flags.model import Attribute, Flag, Profile

    NAMES = Flag(key="names", name="Names", attributes=(Attribute.string("first", pattern=r"^\\p{L}+$"),))
    PROFILES = (Profile("PeopleFlags", (NAMES,), environments=("Test",)),)
"""


def _catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return name


def test_this_apps_catalogue_is_valid_for_each_of_its_environments() -> None:
    from flags import CHECKOUT_FLAGS

    lines, status = check_catalogue("flags")
    assert (undated_lines(lines), status) == ([f"ok: CheckoutFlags in FlagsDemo: {len(CHECKOUT_FLAGS.flags)} flag(s) and 1 experiment(s) valid for Beta, Production"], 0)


def test_a_bad_value_is_one_line_naming_profile_environment_flag_attribute_rule_and_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _catalogue(tmp_path, monkeypatch, "bad_value_flags", BAD_VALUE)
    lines, status = check_catalogue(name)
    assert status == 1
    assert lines == [
        "error: the catalogue 'bad_value_flags' has invalid flags (profile 'ShopFlags'): 1 problem(s)",
        "  - ShopFlags@Live/sale/percent: [value-range] the value is above the maximum 100 (got 150)",
    ]


def test_the_problem_lines_are_the_ones_synth_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # stacks/entrypoint.py prints "  - {problem}" for each problem of the FlagValidationError.
    name = _catalogue(tmp_path, monkeypatch, "bad_value_flags_again", BAD_VALUE)
    with pytest.raises(FlagValidationError) as raised:
        __import__(name)
    lines, _ = check_catalogue(name)
    assert lines[1:] == [f"  - {p}" for p in raised.value.problems]


def test_warnings_are_printed_and_do_not_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _catalogue(tmp_path, monkeypatch, "warned_flags", WITH_WARNING)
    lines, status = check_catalogue(name)
    assert status == 0
    assert len(lines) == 2
    assert lines[0].startswith("warning: PeopleFlags/names/first: [pattern-dialect]")
    assert lines[1] == "ok: PeopleFlags: 1 flag(s) valid for Test"


def test_a_mistake_in_the_catalogues_code_is_one_line_with_its_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _catalogue(tmp_path, monkeypatch, "typo_flags", "from appconfig_flags.model import Profile\nPROFILES = (Profil,)\n")
    assert check_catalogue(name) == (
        ["error: cannot import the catalogue 'typo_flags': NameError: name 'Profil' is not defined (typo_flags.py:2)"], 1)


def test_a_catalogue_without_profiles_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _catalogue(tmp_path, monkeypatch, "no_profiles_flags", "PROFILES = ['CheckoutFlags']\n")
    assert check_catalogue(name) == ([
        "error: no_profiles_flags.PROFILES must be a tuple of appconfig_flags.Profile (got list)"], 1)


def test_the_command_exits_non_zero_without_a_traceback_and_never_loads_the_cdk(tmp_path: Path) -> None:
    (tmp_path / "broken_flags.py").write_text(textwrap.dedent(BAD_VALUE))
    probe = ("import sys\nfrom appconfig_flags import cli\n"
             f"code = cli.main(['check', 'broken_flags', {str(ROOT / 'flags')!r}])\n"
             "print('exit', code, 'aws_cdk' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False, env={"PYTHONPATH": f"{ROOT}", "PATH": ""})
    assert result.stdout.splitlines()[-1] == "exit 1 False"
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == ("error: the catalogue 'broken_flags' has invalid flags (profile "
                                             "'ShopFlags'): 1 problem(s)")
    assert "ok: CheckoutFlags" in result.stdout  # the second catalogue is still checked


def test_the_pre_commit_hooks_run_make_check_on_catalogue_changes_and_ruff() -> None:
    hooks = {h["id"]: h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for h in repo["hooks"]}
    assert set(hooks) == {"check-flags", "ruff"}
    makefile = (ROOT / "Makefile").read_text()
    check = hooks["check-flags"]
    assert check["entry"].removeprefix(".venv/bin/") in makefile  # the very command of `make check`
    assert re.search(check["files"], "flags/checkout.py") and not re.search(check["files"], "stacks/app.py")
    result = subprocess.run(check["entry"].split(), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert hooks["ruff"]["entry"].startswith(".venv/bin/ruff check")
