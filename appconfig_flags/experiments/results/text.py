"""The results as a terminal table, the split and the inputs' problems above it."""
from __future__ import annotations

from collections.abc import Iterator

from .stats import MIN_UNITS, SRM_ALPHA, Results


def fmt_number(value: float | None, digits: int = 4, *, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}g}" if sign else f"{value:.{digits}g}"


def fmt_p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def split_line(results: Results) -> str:
    """``Split: c 510 (51.0%, configured 50%), t1 490 (...): chi-square p = 0.53, as configured``."""
    srm = results.srm
    total = sum(srm.units.values())
    weight_total = sum(results.weights.values()) or 1.0
    parts = [f"{key} {n:,} ({n / total:.1%}, configured {results.weights.get(key, 0) / weight_total:.0%})"
             if total else f"{key} 0" for key, n in srm.units.items()]
    if srm.p_value is None:
        verdict = "no units yet"
    elif srm.mismatch:
        verdict = f"MISMATCH (p < {SRM_ALPHA:g}): do not trust the comparisons below; find out why the split is off"
    else:
        verdict = "as configured"
    return f"Split: {', '.join(parts)}: chi-square p = {fmt_p(srm.p_value)}, {verdict}"


def iter_lines(results: Results) -> Iterator[str]:
    """The report, line by line."""
    run = f"Experiment {results.experiment or '(from --weights)'}: definition {results.definition_id}, run {results.run}"
    if results.simulated:
        run += " (SIMULATED by the demo: its assignment is not AppConfig's)"
    yield run
    yield split_line(results)
    yield (f"Excluded: {results.excluded_units:,} unit(s) assigned more than one treatment. Bad lines: "
           f"{results.bad_lines:,}. Other lines skipped: {results.other_lines:,}.")
    for bad in results.bad_examples:
        yield f"  bad line: {bad.describe()}"
    if not results.metrics:
        yield "No metric: the outcomes name none (give --metric NAME or --binary NAME)."
        return
    header = ("metric", "treatment", "units", "control", "mean", "control mean", "lift", "95% interval",
              "relative", "p", "Holm p")
    rows = [header]
    verdicts = []
    for metric in results.metrics:
        name = f"{metric.metric} (binary)" if metric.binary else metric.metric
        for c in metric.comparisons:
            interval = "-" if c.lift_ci is None else f"[{fmt_number(c.lift_ci[0], sign=True)}, {fmt_number(c.lift_ci[1], sign=True)}]"
            relative = "-" if c.relative_lift is None else f"{c.relative_lift:+.1%}"
            rows.append((name, c.treatment, f"{c.units:,}", f"{c.control_units:,}", fmt_number(c.mean),
                         fmt_number(c.control_mean), fmt_number(c.lift, sign=True), interval, relative, fmt_p(c.p_value),
                         fmt_p(c.p_value_holm)))
            verdicts.append(f"{metric.metric}, {c.treatment} vs {results.control}: {c.verdict}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    yield ""
    for row in rows:
        yield "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
    yield ""
    yield from verdicts
    yield (f"(Welch's t-test on unit values; Holm-adjusted across {sum(len(m.comparisons) for m in results.metrics)} "
           f"comparison(s); no verdict below {MIN_UNITS} units per arm. Look once, at the planned sample size: "
           "checking every day and stopping at the first p < 0.05 finds differences that are not there.)")
