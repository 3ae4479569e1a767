"""Experiments in a profile: every AppConfig limit of a definition and a run, passed once and broken once."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from appconfig_flags.model import (
    Attribute,
    Experiment,
    ExperimentRun,
    Flag,
    FlagValidationError,
    FlagValue,
    Profile,
    Rule,
    Treatment,
    ctx,
)
from flags.checkout import BITCOIN_DISCOUNT_EXPERIMENT, CHECKOUT_FLAGS

from .test_schema import Pair, pair

DISCOUNT = Flag(key="discount", attributes=(Attribute.number("percent", minimum=0, maximum=100, required=True),),
                enabled=True, values={"percent": 5}, environments={"Beta": FlagValue(values={"percent": 5})})
OTHER = Flag(key="other")


def _experiment(**fields: Any) -> Experiment:
    base: dict[str, Any] = {
        "name": "percent-test", "flag": DISCOUNT, "environment": "Beta", "audience": ctx("country") == "US",
        "control": Treatment(enabled=True, weight=50, values={"percent": 5}),
        "treatments": (Treatment(enabled=True, weight=50, values={"percent": 10}),),
        "run": ExperimentRun(exposure=50),
    }
    return Experiment(**{**base, **fields})


def _profile(*experiments: Experiment, flags: tuple[Flag, ...] = (DISCOUNT, OTHER)) -> Callable[[], Profile]:
    return lambda: Profile("P", flags, environments=("Beta", "Production"), context={"country": str, "userId": str},
                           experiments=experiments)


def _run(**fields: Any) -> ExperimentRun:
    return ExperimentRun(**{"exposure": 50, **fields})


T = Treatment(enabled=True, weight=1, values={"percent": 1})

EXPERIMENT_PROBLEMS = [
    pair("AWS. prefix", "experiment-name", _profile(_experiment(name="AWSome")), _profile(_experiment(name="AWS.x")),
         "AWS.x"),
    pair("65 chars", "experiment-name", _profile(_experiment(name="e" * 64)), _profile(_experiment(name="e" * 65)),
         "e" * 65),
    pair("empty", "experiment-name", _profile(_experiment(name="e")), _profile(_experiment(name="")), ""),
    pair("unique", "experiment-name", _profile(_experiment(), _experiment(name="second")),
         _profile(_experiment(), _experiment()), "percent-test"),
    pair("not in profile", "experiment-flag", _profile(_experiment(flag="discount")),
         _profile(_experiment(flag="discont")), "discont"),
    pair("one character key", "experiment-flag",
         _profile(_experiment(flag="dd"), flags=(replace(DISCOUNT, key="dd"),)),
         _profile(_experiment(flag="d"), flags=(replace(DISCOUNT, key="d"),)), "d"),
    pair("another flag object", "experiment-flag", _profile(_experiment(flag=DISCOUNT)),
         _profile(_experiment(flag=replace(DISCOUNT, enabled=False))), "discount"),
    pair("environment", "unknown-environment", _profile(_experiment(environment="Production")),
         _profile(_experiment(environment="Btea")), "Btea"),
    pair("16385 chars", "experiment-audience",
         _profile(_experiment(audience=f'(eq $country "{"U" * (16384 - 16)}")')),
         _profile(_experiment(audience=f'(eq $country "{"U" * (16385 - 16)}")')), "16385 characters"),
    pair("empty", "experiment-audience", _profile(_experiment(audience="(exists key::\"country\")")),
         _profile(_experiment(audience="")), ""),
    pair("syntax", "syntax", _profile(_experiment(audience='(eq $country "US")')),
         _profile(_experiment(audience='(eq $country "US"')), '(eq $country "US"'),
    pair("context key", "context-key", _profile(_experiment(audience=ctx("userId") == "u")),
         _profile(_experiment(audience=ctx("tier") == "gold")), '(eq $tier "gold")'),
    pair("none", "experiment-treatments", _profile(_experiment(treatments=(T,))),
         _profile(_experiment(treatments=())), 0),
    pair("six", "experiment-treatments", _profile(_experiment(treatments=(T,) * 5)),
         _profile(_experiment(treatments=(T,) * 6)), 6),
    pair("pattern", "treatment-key", _profile(_experiment(treatments=(replace(T, key="big1"),))),
         _profile(_experiment(treatments=(replace(T, key="big-1"),))), "big-1"),
    pair("9 chars", "treatment-key", _profile(_experiment(treatments=(replace(T, key="t" * 8),))),
         _profile(_experiment(treatments=(replace(T, key="t" * 9),))), "t" * 9),
    pair("unique", "treatment-key", _profile(_experiment(treatments=(T, replace(T, key="t3")))),
         _profile(_experiment(treatments=(T, replace(T, key="t1")))), "t1"),
    pair("negative", "treatment-weight", _profile(_experiment(treatments=(replace(T, weight=0),))),
         _profile(_experiment(treatments=(replace(T, weight=-1),))), -1),
    pair("all zero", "treatment-weight", _profile(_experiment(control=replace(T, weight=0.5), treatments=(replace(T, weight=0),))),
         _profile(_experiment(control=replace(T, weight=0), treatments=(replace(T, weight=0),))), 0),
    pair("hypothesis", "experiment-text", _profile(_experiment(hypothesis="h" * 1024)),
         _profile(_experiment(hypothesis="h" * 1025)), 1025),
    pair("launch criteria", "experiment-text", _profile(_experiment(launch_criteria="h" * 1024)),
         _profile(_experiment(launch_criteria="h" * 1025)), 1025),
    pair("audience description", "experiment-text", _profile(_experiment(audience_description="h" * 1024)),
         _profile(_experiment(audience_description="h" * 1025)), 1025),
    pair("treatment description", "experiment-text",
         _profile(_experiment(treatments=(replace(T, description="d" * 1024),))),
         _profile(_experiment(treatments=(replace(T, description="d" * 1025),))), 1025),
    pair("run description", "experiment-text", _profile(_experiment(run=_run(description="d" * 1024))),
         _profile(_experiment(run=_run(description="d" * 1025))), 1025),
    pair("above 100", "experiment-exposure", _profile(_experiment(run=_run(exposure=100))),
         _profile(_experiment(run=_run(exposure=100.5))), 100.5),
    pair("below 0", "experiment-exposure", _profile(_experiment(run=_run(exposure=0))),
         _profile(_experiment(run=_run(exposure=-1))), -1),
    pair("treatment key", "experiment-overrides", _profile(_experiment(run=_run(overrides={"u-1": "t1", "u-2": "c"}))),
         _profile(_experiment(run=_run(overrides={"u-1": "t2"}))), "t2"),
    pair("33 entities", "experiment-overrides",
         _profile(_experiment(run=_run(overrides={f"u-{i}": "t1" for i in range(32)}))),
         _profile(_experiment(run=_run(overrides={f"u-{i}": "t1" for i in range(33)}))), 33),
    pair("entity id", "experiment-overrides", _profile(_experiment(run=_run(overrides={"x" * 2048: "t1"}))),
         _profile(_experiment(run=_run(overrides={"": "t1"}))), ""),
    # A treatment's value is a value of its flag: the same rules as any value in a document.
    pair("range", "value-range", _profile(_experiment(treatments=(replace(T, values={"percent": 100}),))),
         _profile(_experiment(treatments=(replace(T, values={"percent": 150}),))), 150),
    pair("type", "value-type", _profile(_experiment(control=replace(T, values={"percent": 0}))),
         _profile(_experiment(control=replace(T, values={"percent": "5"}))), "5"),
    pair("required", "required", _profile(_experiment(treatments=(replace(T, enabled=False, values={}),))),
         _profile(_experiment(treatments=(replace(T, values={}),))), "NO_VALUE"),
    pair("undeclared", "undeclared-attribute", _profile(_experiment(control=replace(T, values={"percent": 1}))),
         _profile(_experiment(control=replace(T, values={"percent": 1, "prcent": 2}))), "prcent"),
    pair("weight type", "field-type", _profile(_experiment(control=replace(T, weight=1.5))),
         _profile(_experiment(control=replace(T, weight=True))), True),
    pair("enabled type", "field-type", _profile(_experiment(control=replace(T, enabled=False))),
         _profile(_experiment(control=replace(T, enabled="true"))), "true"),
    pair("flag key type", "field-type", _profile(_experiment(flag=DISCOUNT)),
         _profile(_experiment(flag=replace(DISCOUNT, key=["discount"]))), replace(DISCOUNT, key=["discount"])),
    pair("exposure type", "field-type", _profile(_experiment(run=_run(exposure=1))),
         _profile(_experiment(run=_run(exposure="50"))), "50"),
    pair("treatments", "object-type", _profile(_experiment(treatments=(T,))),
         _profile(_experiment(treatments=({"enabled": True, "weight": 1},))), {"enabled": True, "weight": 1}),
]


@pytest.mark.parametrize("case", EXPERIMENT_PROBLEMS)
def test_experiments_pass_or_break_one_rule(case: Pair) -> None:
    case.good()
    with pytest.raises(FlagValidationError) as error:
        case.bad()
    assert {p.rule for p in error.value.problems} == {case.rule}, str(error.value)
    shown = [repr(p.value) if case.value == "NO_VALUE" else p.value for p in error.value.problems]
    assert case.value in shown, str(error.value)


def test_each_problem_names_profile_environment_experiment_and_field() -> None:
    bad = _experiment(treatments=(replace(T, values={"percent": 150}), replace(T, key="t-2")), run=_run(exposure=120))
    with pytest.raises(FlagValidationError) as error:
        _profile(bad)()
    assert str(error.value).splitlines() == [
        "3 problem(s) in profile 'P':",
        "  - P@Beta/experiments/percent-test/treatments[0]/percent: [value-range] the value is above the maximum 100 (got 150)",
        ("  - P@Beta/experiments/percent-test/treatments[1]/key: [treatment-key] a treatment key is 1 to 8 ASCII letters "
        "or digits (got 't-2')"),
        ("  - P@Beta/experiments/percent-test/run/exposure: [experiment-exposure] exposure is a percentage from 0 to 100 "
        "(got 120)"),
    ]


def test_keys_default_to_c_and_t1_t2_by_position() -> None:
    experiment = _experiment(treatments=(T, replace(T, key="big"), T))
    assert (experiment.control_key(), experiment.treatment_keys()) == ("c", ("t1", "big", "t3"))


def test_the_audience_is_rendered_as_rule_text() -> None:
    assert _experiment(audience=Rule.in_("country", ("US", "CA"))).audience_text == '(in $country ["US", "CA"])'


def test_the_catalogue_runs_the_bitcoin_discount_experiment_in_beta_for_half_the_us_audience() -> None:
    (experiment,) = CHECKOUT_FLAGS.experiments_in("Beta")
    assert experiment is BITCOIN_DISCOUNT_EXPERIMENT and CHECKOUT_FLAGS.experiments_in("Production") == ()
    assert experiment.audience_text == '(eq $country "US")'
    assert [(key, t.values["bitcoin-discount-percentage"]) for key, t in experiment.arms()] == [("c", 5), ("t1", 10)]
    assert experiment.run is not None and experiment.run.exposure == 50
    assert CHECKOUT_FLAGS.experiment("bitcoin-discount-5-vs-10") is experiment
    with pytest.raises(KeyError, match="has no experiment 'nope'"):
        CHECKOUT_FLAGS.experiment("nope")
