"""``appconfig-flags diff`` against a git repository built in the test.

The catalogue at the ref is rendered by a child process from a temporary export: these tests check
that the line a reviewer needs comes out, that the catalogue's code never enters this process, that
no temporary files stay behind, and that each error is one line with exit status 2.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from appconfig_flags import cli
from appconfig_flags.ops.catalogue import RenderedCatalogue
from appconfig_flags.ops.diff import promotion_order

ROOT = Path(__file__).resolve().parents[3]
#: A catalogue module name of its own, so the test can tell whether it was imported here.
CATALOGUE = "shopflags"

CATALOGUE_SOURCE = '''
from appconfig_flags.model import Attribute, Flag, FlagValue, Profile

BITCOIN = Flag(
    key="allow-bitcoin-at-checkout",
    attributes=(Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=100),),
    enabled=False,
    values={"bitcoin-discount-percentage": 0},
    environments={"Beta": FlagValue(enabled=True, values={"bitcoin-discount-percentage": DISCOUNT})},
)
PROFILES = (Profile("CheckoutFlags", (BITCOIN,), environments=("Beta", "Production")),)
'''


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def write_catalogue(repo: Path, discount: object) -> None:
    (repo / CATALOGUE / "__init__.py").write_text(CATALOGUE_SOURCE.replace("DISCOUNT", repr(discount)))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git repository holding the model (as a real repository would at any ref) and a catalogue, discount 5."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "appconfig_flags", repo / "appconfig_flags", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / CATALOGUE).mkdir()
    write_catalogue(repo, 5)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "discount 5")
    # Every temporary directory the diff makes goes here, to check none is left behind.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(repo)
    yield repo
    assert list(temp.iterdir()) == []
    assert CATALOGUE not in sys.modules


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["diff", "--catalogue", CATALOGUE, *args])
    out, err = capsys.readouterr()
    return status, out, err


def commit(repo: Path, message: str) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", message)


def test_editing_betas_discount_prints_exactly_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_catalogue(repo, 10)
    assert run(capsys) == (0, "Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 10\n", "")


def test_no_changes_says_so_and_fail_on_change_exits_1_only_with_changes(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--fail-on-change") == (0, "no flag changes\n", "")
    write_catalogue(repo, 10)
    assert run(capsys, "--fail-on-change")[0] == 1


def test_two_refs_and_the_other_formats(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_catalogue(repo, 10)
    commit(repo, "discount 10")
    write_catalogue(repo, 20)  # the working tree is not compared when --head is given
    status, out, _ = run(capsys, "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert status == 0
    assert [(c["environment"], c["before"], c["after"]) for c in json.loads(out)] == [("Beta", 5, 10)]
    status, out, _ = run(capsys, "--base", "HEAD~1", "--format", "markdown")
    assert out.splitlines() == ["### Flag changes, HEAD~1 → working tree (1)", "", "**Beta**", "",
                                "- `allow-bitcoin-at-checkout/bitcoin-discount-percentage`: `5` → `20`"]


def test_a_bad_ref_is_one_line_and_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--base", "no-such-branch")
    assert (status, out) == (2, "")
    assert err == f"error: 'no-such-branch' is not a commit in {repo.resolve()} (try HEAD, a branch, a tag or a commit hash)\n"
    assert run(capsys, "--base=--output=x")[0] == 2  # an option smuggled in as a ref reaches no git command


def test_outside_a_git_repository_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(outside)
    status, _, err = run(capsys)
    assert status == 2
    assert err == f"error: {outside} is not in a git repository (a git ref is needed to compare with)\n"


def test_a_catalogue_that_fails_validation_at_the_ref_names_the_problem(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_catalogue(repo, 150)
    commit(repo, "too much")
    write_catalogue(repo, 5)
    status, out, err = run(capsys)
    assert (status, out) == (2, "")
    assert err.startswith("error: the catalogue 'shopflags' at HEAD does not load: invalid flags: ")
    assert "CheckoutFlags@Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage" in err
    assert "(got 150)" in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_broken_working_tree_is_one_line_and_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / CATALOGUE / "__init__.py").write_text("import nothing_like_this\n")
    status, _, err = run(capsys)
    assert status == 2
    assert err == ("error: the catalogue 'shopflags' in the working tree does not load: "
                   "ModuleNotFoundError: No module named 'nothing_like_this' (shopflags/__init__.py:1)\n")


def test_what_the_catalogue_prints_does_not_spoil_the_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / CATALOGUE / "__init__.py").open("a") as source:
        source.write("print('hello from the catalogue')\n")
    assert run(capsys, "--format", "json")[:2] == (0, "[]\n")


def test_the_promotion_order_is_the_profiles_order_of_environments() -> None:
    def rendered(*environments: str) -> RenderedCatalogue:
        return RenderedCatalogue({"P": {environment: {} for environment in environments}}, {}, {})

    assert promotion_order(rendered("Beta", "Gamma", "Production"), rendered("Beta", "Production", "Omega")) == [
        "Beta", "Gamma", "Production", "Omega"]
    assert promotion_order(RenderedCatalogue({"P": {None: {}}}, {}, {})) == []
