"""The statistics: per metric and treatment, Welch's t-test against the control, Holm across all, and SRM.

From the per-arm aggregates (units, mean, sample variance) of :mod:`.collect`:

* lift = treatment mean - control mean, its 95% Welch interval (Welch-Satterthwaite degrees of
  freedom, Student's t quantile from ``scipy.stats.t``), relative lift = lift / control mean;
* the two-sided p-value of Welch's t-test (``scipy.stats.ttest_ind_from_stats(..., equal_var=False)``),
  on 0/1 unit values for binary metrics too;
* Holm-adjusted p-values across every treatment x metric comparison
  (``statsmodels.stats.multitest.multipletests(method="holm")``; its default is Holm-Sidak);
* sample ratio mismatch: Pearson's chi-square of the units per arm against the configured weights
  (``scipy.stats.chisquare``, expected counts scaled to the total), a mismatch at p < 0.001.

No verdict below :data:`MIN_UNITS` units in an arm, nor when the split mismatches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from .collect import ArmAggregate, BadLine, Collected
from .definition import Arms

#: Units each arm needs before a verdict (CloudWatch Evidently waited for 100 events per variation).
MIN_UNITS = 100
#: SRM alarm level (GrowthBook's, Statsig's and Eppo's default).
SRM_ALPHA = 0.001
#: Two-sided level of the tests and 1 - the intervals' coverage.
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class Srm:
    """Units per arm (excluded units left out), the chi-square p-value against the weights, and the verdict."""

    units: dict[str, int]
    p_value: float | None
    mismatch: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    """One treatment against the control on one metric."""

    treatment: str
    units: int
    control_units: int
    mean: float | None
    control_mean: float | None
    lift: float | None
    lift_ci: tuple[float, float] | None
    relative_lift: float | None
    p_value: float | None
    p_value_holm: float | None = None
    verdict: str = ""


@dataclass(frozen=True, slots=True)
class MetricResult:
    metric: str
    binary: bool
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True, slots=True)
class Results:
    """The whole result: what ``--format json`` prints (:meth:`to_json`), the table and the HTML page show."""

    experiment: str
    definition_id: str
    run: int
    control: str
    weights: dict[str, float]
    srm: Srm
    excluded_units: int
    bad_lines: int
    other_lines: int
    metrics: tuple[MetricResult, ...]
    bad_examples: tuple[BadLine, ...] = field(default_factory=tuple)
    simulated: bool = False

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (docs/experiments.md), NaN and infinities as ``null``."""
        return {
            "experiment": self.experiment, "experiment_definition_id": self.definition_id, "run": self.run,
            "control": self.control, "weights": self.weights, "simulated": self.simulated,
            "srm": {"units": self.srm.units, "p_value": _finite(self.srm.p_value), "mismatch": self.srm.mismatch,
                    "alpha": SRM_ALPHA},
            "excluded_units": self.excluded_units, "bad_lines": self.bad_lines, "other_lines": self.other_lines,
            "bad_line_examples": [{"input": b.input, "file": b.file, "line": b.line_number, "text": b.text}
                                  for b in self.bad_examples],
            "minimum_units_per_arm": MIN_UNITS,
            "metrics": [{"metric": m.metric, "binary": m.binary, "comparisons": [{
                "treatment": c.treatment, "units": c.units, "control_units": c.control_units,
                "mean": _finite(c.mean), "control_mean": _finite(c.control_mean), "lift": _finite(c.lift),
                "lift_ci": None if c.lift_ci is None else [_finite(c.lift_ci[0]), _finite(c.lift_ci[1])],
                "relative_lift": _finite(c.relative_lift), "p_value": _finite(c.p_value),
                "p_value_holm": _finite(c.p_value_holm), "verdict": c.verdict} for c in m.comparisons]}
                for m in self.metrics],
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def srm(units: dict[str, int], arms: Arms) -> Srm:
    """Chi-square of ``units`` per arm against ``arms``' weights; arms of weight 0 with no unit are left out."""
    from scipy.stats import chisquare  # type: ignore[import-untyped]  # no type information in SciPy

    counts = {key: units.get(key, 0) for key in arms.keys}
    total = sum(counts.values())
    if total == 0:
        return Srm(counts, None, False)
    if any(w == 0 and counts[k] > 0 for k, w in zip(arms.keys, arms.weights)):
        return Srm(counts, 0.0, True)  # units in an arm configured to get none
    kept = [(counts[k], w) for k, w in zip(arms.keys, arms.weights) if w > 0]
    weight_total = sum(w for _, w in kept)
    observed = [n for n, _ in kept]
    expected = [total * w / weight_total for _, w in kept]
    p_value = float(chisquare(observed, expected).pvalue) if len(kept) > 1 else 1.0
    return Srm(counts, p_value, p_value < SRM_ALPHA)


def welch(treated: ArmAggregate | None, control: ArmAggregate | None, treatment: str) -> Comparison:
    """Welch's comparison of ``treated`` with ``control`` (either ``None``: no unit in that arm)."""
    from scipy.stats import t as student_t
    from scipy.stats import ttest_ind_from_stats

    n1 = treated.units if treated else 0
    n0 = control.units if control else 0
    m1 = treated.mean if treated else None
    m0 = control.mean if control else None
    lift = m1 - m0 if m1 is not None and m0 is not None else None
    relative = lift / m0 if lift is not None and m0 else None
    v1 = treated.variance if treated else None
    v0 = control.variance if control else None
    if lift is None or v1 is None or v0 is None or n1 < 2 or n0 < 2 or v1 / n1 + v0 / n0 <= 0:
        return Comparison(treatment, n1, n0, m1, m0, lift, None, relative, None)
    se2 = v1 / n1 + v0 / n0
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
    half = float(student_t.ppf(1 - ALPHA / 2, df)) * math.sqrt(se2)
    p_value = float(ttest_ind_from_stats(m1, math.sqrt(v1), n1, m0, math.sqrt(v0), n0, equal_var=False).pvalue)
    return Comparison(treatment, n1, n0, m1, m0, lift, (lift - half, lift + half), relative, p_value)


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm-adjusted p-values of those given (``None`` stays ``None`` and is not counted)."""
    from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]

    present = [p for p in p_values if p is not None]
    if not present:
        return list(p_values)
    adjusted = iter(float(q) for q in multipletests(present, alpha=ALPHA, method="holm")[1])
    return [None if p is None else next(adjusted) for p in p_values]


def verdict(c: Comparison, srm_result: Srm, control: str) -> str:
    """In words: too early, not trustworthy, or which way the treatment differs."""
    if srm_result.mismatch:
        return "no verdict: sample ratio mismatch (the split is not the configured one; find out why first)"
    if min(c.units, c.control_units) < MIN_UNITS:
        return f"too early: fewer than {MIN_UNITS} units in an arm ({c.treatment} {c.units}, {control} {c.control_units})"
    if c.p_value_holm is None or c.lift is None:
        return "no verdict: no variance in the unit values"
    if c.p_value_holm < ALPHA:
        way = "higher" if c.lift > 0 else "lower"
        return f"{c.treatment} is {way} than {control} (Holm-adjusted p < {ALPHA:g})"
    return f"no significant difference (Holm-adjusted p >= {ALPHA:g})"


def analyse(collected: Collected, arms: Arms, *, simulated: bool = False) -> Results:
    """The results of ``collected`` for the experiment ``arms`` defines."""
    split = srm(collected.split, arms)
    by_arm = {(a.metric, a.treatment): a for a in collected.aggregates}
    raw = [(metric, binary, [welch(by_arm.get((metric, key)), by_arm.get((metric, arms.control)), key)
                             for key in arms.treatments]) for metric, binary in collected.metrics]
    adjusted = iter(holm([c.p_value for _, _, comparisons in raw for c in comparisons]))
    metrics = []
    for metric, binary, comparisons in raw:
        done = []
        for c in comparisons:
            with_holm = replace(c, p_value_holm=next(adjusted))
            done.append(replace(with_holm, verdict=verdict(with_holm, split, arms.control)))
        metrics.append(MetricResult(metric, binary, tuple(done)))
    return Results(experiment=arms.name, definition_id=collected.definition_id, run=collected.run,
                   control=arms.control, weights=dict(zip(arms.keys, arms.weights)), srm=split,
                   excluded_units=collected.excluded_units, bad_lines=collected.bad_lines,
                   other_lines=collected.other_lines, metrics=tuple(metrics),
                   bad_examples=tuple(collected.bad_examples), simulated=simulated)
