"""``experiments results`` against an independent computation on generated logs with a known effect.

The reference reads nothing the command reads: it takes the generator's truth (each unit's arm and
first exposure, every outcome row), aggregates per unit in plain Python, and tests with
``scipy.stats.ttest_ind(equal_var=False)`` on the unit values (its interval from
``.confidence_interval``), a Holm adjustment written out here, and the chi-square statistic summed
by hand (its tail from ``scipy.stats.chi2``). The command aggregates in DuckDB's SQL and tests
from aggregates (``ttest_ind_from_stats``, ``chisquare``, statsmodels' Holm).
"""
from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from appconfig_flags.experiments.results_command import main

from .generated import RUN, Generated, generate

TOLERANCE = 1e-6
WEIGHTS = {"c": 50, "t1": 30, "t2": 20}


def run_json(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--format", "json"]) == 0
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


def assert_close(got: Any, want: Any, where: str = "") -> None:
    """Equal structures, numbers equal to 1e-12 relative."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-12), where
    else:
        assert got == want, where


def reference(g: Generated, weights: dict[str, float], binary: set[str]) -> dict[str, Any]:
    """Units, means, lift, Welch interval and p, Holm, SRM: computed from the generator's truth."""
    keys = list(weights)
    arms: dict[str, list[str]] = {k: [] for k in keys}
    for entity, arm in g.arm_of.items():
        arms[arm].append(entity)
    metrics = ["revenue", "purchase"]
    comparisons = []
    for metric in metrics:
        value: dict[str, float] = {}
        for entity, name, amount, seconds in g.outcomes_rows:
            if name == metric and entity in g.arm_of and seconds >= g.exposed_at[entity]:
                value[entity] = 1.0 if metric in binary else value.get(entity, 0.0) + amount
        per_arm = {k: np.array([value.get(e, 0.0) for e in arms[k]]) for k in keys}
        for key in keys[1:]:
            a, b = per_arm[key], per_arm["c"]
            test = scipy_stats.ttest_ind(a, b, equal_var=False)
            ci = test.confidence_interval(0.95)
            comparisons.append({"metric": metric, "treatment": key, "units": len(a), "control_units": len(b),
                                "mean": a.mean(), "control_mean": b.mean(), "lift": a.mean() - b.mean(),
                                "lift_ci": [ci.low, ci.high], "relative_lift": (a.mean() - b.mean()) / b.mean(),
                                "p_value": float(test.pvalue)})
    # Holm, by hand: the i-th smallest of m p-values times (m - i), kept monotone, capped at 1.
    order = sorted(range(len(comparisons)), key=lambda i: comparisons[i]["p_value"])
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * comparisons[i]["p_value"]))
        comparisons[i]["p_value_holm"] = running
    observed = [len(arms[k]) for k in keys]
    expected = [sum(observed) * w / sum(weights.values()) for w in weights.values()]
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected))
    return {"units": dict(zip(keys, observed)), "srm_p": float(scipy_stats.chi2.sf(statistic, len(keys) - 1)),
            "comparisons": comparisons}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(tmp_path_factory.mktemp("results"), weights=WEIGHTS)


@pytest.fixture(scope="module")
def result(generated: Generated) -> dict[str, Any]:
    return run_json("--assignments", str(generated.assignments), "--outcomes", str(generated.outcomes),
                    "--weights", "c=50,t1=30,t2=20", "--run", str(RUN), "--metric", "revenue", "--binary", "purchase")


def test_the_json_matches_an_independent_computation_to_1e_6(generated: Generated, result: dict[str, Any]) -> None:
    expected = reference(generated, WEIGHTS, {"purchase"})
    assert result["srm"]["units"] == expected["units"]
    assert result["srm"]["p_value"] == pytest.approx(expected["srm_p"], abs=TOLERANCE)
    assert result["srm"]["mismatch"] is False
    found = [(m["metric"], m["binary"], c) for m in result["metrics"] for c in m["comparisons"]]
    assert [(name, binary, c["treatment"]) for name, binary, c in found] == [
        ("revenue", False, "t1"), ("revenue", False, "t2"), ("purchase", True, "t1"), ("purchase", True, "t2")]
    for (_, _, got), want in zip(found, expected["comparisons"]):
        assert got["units"] == want["units"] and got["control_units"] == want["control_units"]
        for name in ("mean", "control_mean", "lift", "relative_lift", "p_value", "p_value_holm"):
            assert got[name] == pytest.approx(want[name], abs=TOLERANCE), (want["metric"], want["treatment"], name)
        assert got["lift_ci"] == pytest.approx(want["lift_ci"], abs=TOLERANCE)


def test_the_known_effect_is_found_and_the_null_arm_is_not(result: dict[str, Any]) -> None:
    purchase = next(m for m in result["metrics"] if m["metric"] == "purchase")
    t1, t2 = purchase["comparisons"]
    assert t1["p_value_holm"] < 0.05 and t1["lift_ci"][0] > 0 and "t1 is higher than c" in t1["verdict"]
    assert t2["p_value_holm"] > 0.05 and t2["lift_ci"][0] < 0 < t2["lift_ci"][1]


def test_units_given_two_treatments_are_excluded_and_counted(generated: Generated, result: dict[str, Any]) -> None:
    assert result["excluded_units"] == len(generated.multi_treatment) == 7
    assert sum(result["srm"]["units"].values()) == len(generated.arm_of)


def test_bad_lines_are_counted_and_quoted_with_file_and_line(generated: Generated, result: dict[str, Any]) -> None:
    assert result["bad_lines"] == generated.bad_lines == 5
    quoted = {(Path(b["file"]).name, b["line"], b["text"]) for b in result["bad_line_examples"]}
    lines = (generated.assignments / "us-east-1/111122223333/app1234/exp0abc/2_salt1.jsonl").read_text().splitlines()
    assert ("2_salt1.jsonl", lines.index("not json at all") + 1, "not json at all") in quoted
    outcome_lines = generated.outcomes.read_text().splitlines()
    assert ("outcomes.jsonl", outcome_lines.index("{broken") + 1, "{broken") in quoted


def test_a_skewed_split_is_flagged_but_an_intended_unequal_one_is_not(tmp_path: Path) -> None:
    g = generate(tmp_path, units=2000, weights={"c": 60, "t1": 40}, multi=0, other_run=False,
                 effects={"purchase": {"c": 0.1, "t1": 0.1}, "revenue": {"c": 5.0, "t1": 5.0}})
    common = ("--assignments", str(g.assignments), "--outcomes", str(g.outcomes))
    skewed = run_json(*common, "--weights", "c=50,t1=50")
    assert skewed["srm"]["mismatch"] is True and skewed["srm"]["p_value"] < 0.001
    assert all("sample ratio mismatch" in c["verdict"] for m in skewed["metrics"] for c in m["comparisons"])
    intended = run_json(*common, "--weights", "c=60,t1=40")
    assert intended["srm"]["mismatch"] is False and intended["srm"]["p_value"] > 0.001


def test_no_verdict_below_100_units_per_arm(tmp_path: Path) -> None:
    g = generate(tmp_path, units=300, multi=0, other_run=False)
    found = run_json("--assignments", str(g.assignments), "--outcomes", str(g.outcomes), "--weights", "c=50,t1=30,t2=20")
    t2 = [c for m in found["metrics"] for c in m["comparisons"] if c["treatment"] == "t2"]
    assert found["srm"]["units"]["t2"] < 100
    assert t2 and all(c["verdict"].startswith("too early: fewer than 100 units") for c in t2)


def test_csv_outcomes_give_the_same_result_as_json_lines(generated: Generated, result: dict[str, Any],
                                                         tmp_path: Path) -> None:
    rows = ["timestamp,entityId,value,metric"]  # columns in another order: read by name
    for line in generated.outcomes.read_text().splitlines():
        try:
            record = json.loads(line)
            rows.append(f"{record['timestamp']},{record['entityId']},{record.get('value', '')},{record['metric']}")
        except (ValueError, KeyError, TypeError):
            continue
    (tmp_path / "outcomes.csv").write_text("\n".join(rows) + "\n")
    found = run_json("--assignments", str(generated.assignments), "--outcomes", str(tmp_path / "outcomes.csv"),
                     "--weights", "c=50,t1=30,t2=20", "--run", str(RUN), "--metric", "revenue", "--binary", "purchase")
    assert found["bad_lines"] == 2 + 1  # the assignments' two, and the outcome without a timestamp
    # Equal to the last bits but for the order in which DuckDB's threads add up the sums.
    assert_close(found["metrics"], result["metrics"])


def test_stderr_captures_are_read_beside_the_agents_other_output(tmp_path: Path) -> None:
    def record(entity: str, key: str, seconds: int, run: int = 1) -> str:
        return json.dumps({"type": "AWS.AppConfig.TreatmentAssignment", "timestamp": f"2026-03-01T00:00:{seconds:02d}Z",
                           "region": "us-east-1", "accountId": "111122223333", "applicationId": "app1",
                           "experimentDefinitionId": "def1", "experimentRunNumber": run, "treatmentKey": key,
                           "entityId": entity})
    capture = tmp_path / "agent-stderr.log"
    capture.write_text("\n".join([
        "[appconfig agent] 2026/03/01 00:00:00 INFO serving on 2772",
        record("u1", "c", 1), "2026-03-01T00:00:02Z " + record("u2", "t1", 2), record("u1", "c", 3),
        '{"type": "AWS.AppConfig.TreatmentAssignment", "entityId": "u9"}',  # names the type but is incomplete
        '{"level": "info", "msg": "polling"}', record("u3", "t1", 4, run=2)]) + "\n")
    (tmp_path / "outcomes.jsonl").write_text(json.dumps({"entityId": "u2", "metric": "order",
                                                         "timestamp": "2026-03-01T00:01:00Z"}) + "\n")
    found = run_json("--assignments", str(capture), "--outcomes", str(tmp_path / "outcomes.jsonl"),
                     "--weights", "c=50,t1=50", "--run", "1")
    assert found["srm"]["units"] == {"c": 1, "t1": 1}
    assert (found["bad_lines"], found["other_lines"]) == (1, 2)
    assert found["metrics"][0]["comparisons"][0]["mean"] == 1.0


def test_the_experiment_comes_from_the_catalogue(generated: Generated, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The repository's catalogue declares c and t1 only: the generated logs' t2 is refused, by name.
    code = main(["--assignments", str(generated.assignments), "--outcomes", str(generated.outcomes),
                 "--catalogue", "flags", "--experiment", "bitcoin-discount-5-vs-10", "--run", str(RUN)])
    assert code == 1
    assert "assigns treatment(s) ['t2'], which the experiment's definition does not declare (it has ['c', 't1'])" \
        in capsys.readouterr().err
    assert main(["--assignments", str(generated.assignments), "--outcomes", str(generated.outcomes),
                 "--catalogue", "flags", "--experiment", "nope"]) == 2
    assert "the catalogue has no experiment 'nope'; it has ['bitcoin-discount-5-vs-10']" in capsys.readouterr().err


def test_several_runs_in_the_logs_need_a_choice(generated: Generated, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--assignments", str(generated.assignments), "--outcomes", str(generated.outcomes),
                 "--weights", "c=50,t1=30,t2=20"]) == 1
    assert "exp0abc run 1 (1 entities), exp0abc run 2 (3000 entities)" in capsys.readouterr().err


@pytest.mark.parametrize(("weights", "message"), [
    ("c=50", "names 1 arm(s)"), ("c=50,t1=x", "'t1=x' is not KEY=WEIGHT"), ("c=1,c=2", "the key 'c' appears twice"),
    ("c=0,t1=0", "adds up to 0"), ("c=50,t1=-1", "'t1=-1' is not KEY=WEIGHT")])
def test_bad_weights_are_refused_with_the_value(weights: str, message: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.jsonl").write_text("")
    assert main(["--assignments", str(tmp_path / "a.jsonl"), "--outcomes", str(tmp_path / "a.jsonl"),
                 "--weights", weights]) == 2
    assert message in capsys.readouterr().err


def test_without_the_extra_the_command_names_it_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(__import__("sys").modules, "statsmodels.stats.multitest", None)
    assert main(["--assignments", "x", "--outcomes", "y", "--weights", "c=1,t1=1"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'appconfig-flags[experiments]'" in err, err


def test_a_missing_input_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--assignments", str(tmp_path / "nowhere"), "--outcomes", str(tmp_path), "--weights", "c=1,t1=1"]) == 2
    assert f"--assignments: {tmp_path / 'nowhere'} is neither a file nor a directory" in capsys.readouterr().err


def test_nan_free_json_when_a_metric_has_no_variance(tmp_path: Path) -> None:
    g = generate(tmp_path, units=400, multi=0, other_run=False, bad_assignment_lines=0, bad_outcome_lines=0)
    found = run_json("--assignments", str(g.assignments), "--outcomes", str(g.outcomes), "--weights",
                     "c=50,t1=30,t2=20", "--metric", "never-happens")
    comparison = found["metrics"][0]["comparisons"][0]
    assert (comparison["mean"], comparison["lift"], comparison["p_value"], comparison["relative_lift"]) == (0, 0, None, None)
    assert comparison["verdict"] == "no verdict: no variance in the unit values"
    assert not any(isinstance(v, float) and math.isnan(v) for v in comparison.values())


def test_nothing_else_of_the_runtime_imports_the_extras_libraries() -> None:
    # Every module of appconfig_flags, the results command and its package included, imported in a fresh process.
    import subprocess
    import sys

    script = """
import importlib, pkgutil, sys, appconfig_flags
for module in pkgutil.walk_packages(appconfig_flags.__path__, "appconfig_flags."):
    if not module.name.endswith("__main__"):  # runs the command
        importlib.import_module(module.name)
print(sorted(m for m in ("duckdb", "scipy", "statsmodels", "numpy", "pandas") if m in sys.modules))
"""
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]", found.stderr


def test_lines_that_are_not_utf8_are_bad_lines_with_their_line_number(tmp_path: Path) -> None:
    g = generate(tmp_path, units=200, multi=0, other_run=False, bad_assignment_lines=0, bad_outcome_lines=0)
    log = next(g.assignments.rglob("*.jsonl"))
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join([*lines[:3], b'{"entityId": "\xff\xfe"}', *lines[3:]]))
    found = run_json("--assignments", str(g.assignments), "--outcomes", str(g.outcomes), "--weights", "c=50,t1=30,t2=20")
    assert found["bad_lines"] == 1
    assert [(Path(b["file"]).name, b["line"]) for b in found["bad_line_examples"]] == [(log.name, 4)]
