"""`make flags-diff` and experiments: their changes are shown, and a lower exposure is an error (AppConfig refuses it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from appconfig_flags.ops.experimentdiff import diff_experiments

from . import test_diff_cli
from .test_diff_cli import CATALOGUE, commit, run

repo = test_diff_cli.repo  # the fixture: a git repository holding the model and a catalogue

EXPERIMENT_SOURCE = '''
from appconfig_flags.model import Attribute, Experiment, ExperimentRun, Flag, FlagValue, Profile, Treatment, ctx

BITCOIN = Flag(
    key="allow-bitcoin-at-checkout",
    attributes=(Attribute.number("bitcoin-discount-percentage", minimum=0, maximum=100),),
    enabled=False, values={"bitcoin-discount-percentage": 0},
    environments={"Beta": FlagValue(enabled=True, values={"bitcoin-discount-percentage": 5})},
)
TEST = Experiment(
    name="discount", flag=BITCOIN, environment="Beta", audience=ctx("country") == "US",
    control=Treatment(enabled=True, weight=50, values={"bitcoin-discount-percentage": 5}),
    treatments=(Treatment(enabled=True, weight=50, values={"bitcoin-discount-percentage": TREATED}),),
    run=ExperimentRun(exposure=EXPOSURE),
)
PROFILES = (Profile("CheckoutFlags", (BITCOIN,), environments=("Beta", "Production"), context={"country": str},
                    experiments=(TEST,)),)
'''


def write_experiment(tree: Path, *, exposure: float, treated: int = 10) -> None:
    source = EXPERIMENT_SOURCE.replace("EXPOSURE", repr(exposure)).replace("TREATED", repr(treated))
    (tree / CATALOGUE / "__init__.py").write_text(source)


@pytest.fixture
def with_experiment(repo: Path) -> Path:
    write_experiment(repo, exposure=50)
    commit(repo, "experiment at 50%")
    return repo


def test_a_new_experiment_and_a_raised_exposure_are_one_line_each(
        with_experiment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--base", "HEAD~1", "--head", "HEAD")[1].splitlines()[-1] == (
        "+ Beta/experiments/discount (on allow-bitcoin-at-checkout, run at 50% exposure)")
    write_experiment(with_experiment, exposure=80, treated=15)
    lines = ("Beta/experiments/discount: arms.t1.bitcoin-discount-percentage 10 → 15\n"
             "Beta/experiments/discount: run.exposure 50 → 80\n")
    assert run(capsys) == (0, lines, "")


def test_markdown_lists_the_experiment_changes_after_the_flag_changes(
        with_experiment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_experiment(with_experiment, exposure=60)
    assert run(capsys, "--format", "markdown")[1].splitlines() == [
        "### Flag changes, HEAD → working tree", "", "No flag changes.", "", "**Experiments**", "",
        "- `Beta/experiments/discount: run.exposure 50 → 60`"]


def test_a_lower_exposure_is_an_error_with_exit_status_3(with_experiment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_experiment(with_experiment, exposure=20)
    status, out, err = run(capsys)
    assert (status, out) == (3, "Beta/experiments/discount: run.exposure 50 → 20\n")
    assert err.startswith("error: Beta/experiments/discount: run.exposure 50 → 20: AppConfig only raises a run's "
                          "exposure (UpdateExperimentRun)")


def _experiment(exposure: float | None, **more: object) -> dict[str, object]:
    data: dict[str, object] = {"name": "x", "environment": "Beta", "flag": "f", "audience": "(exists key::\"a\")",
                               "arms": {"c": {"weight": 1, "enabled": True}}, **more}
    if exposure is not None:
        data["run"] = {"exposure": exposure, "overrides": {}}
    return data


@pytest.mark.parametrize(("before", "after", "refused"), [
    (50, 40, True), (50, 50.5, False), (50, None, False), (None, 10, False), (0.5, 0, True)])
def test_only_a_lower_exposure_of_a_run_that_stays_is_refused(before: float | None, after: float | None,
                                                                refused: bool) -> None:
    changes = diff_experiments({"P": [_experiment(before)]}, {"P": [_experiment(after)]})
    assert any(c.refused for c in changes) is refused


def test_removed_experiments_and_qualified_places() -> None:
    changes = diff_experiments({"P": [_experiment(5)], "Q": []}, {"P": [], "Q": [_experiment(None, hypothesis="h")]})
    assert [str(c) for c in changes] == ["- P@Beta/experiments/x", "+ Q@Beta/experiments/x (on f, no run)"]
