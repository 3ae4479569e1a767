"""The results as one standalone HTML page: no script, no network; an inline SVG interval chart per metric.

Each chart draws, per treatment, the 95% interval of the lift over the control as a bar and the
lift as a dot, beside a zero line: a bar clear of zero is a difference. The SRM verdict heads the page.
"""
from __future__ import annotations

from html import escape

from .stats import MIN_UNITS, SRM_ALPHA, MetricResult, Results
from .text import fmt_number, fmt_p, split_line

WIDTH, ROW, LEFT, RIGHT, TOP = 640, 34, 70, 20, 28

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .9rem; }
td, th { padding: .2rem .6rem; text-align: right; border-bottom: 1px solid #eee; }
td:first-child, th:first-child { text-align: left; }
.ok { background: #e8f5e9; } .mismatch { background: #ffebee; } .note { color: #666; font-size: .9rem; }
.verdict { padding: .5rem .75rem; border-left: 4px solid #888; margin: .5rem 0; }
.simulated { background: #fff4d6; padding: .5rem .75rem; border-left: 4px solid #f7931a; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
"""


def _scale(metric: MetricResult) -> tuple[float, float]:
    """The x range of a chart: every interval and zero, with a margin."""
    points = [0.0]
    for c in metric.comparisons:
        if c.lift_ci is not None:
            points += list(c.lift_ci)
        elif c.lift is not None:
            points.append(c.lift)
    low, high = min(points), max(points)
    pad = (high - low) * 0.1 or 1.0
    return low - pad, high + pad


def interval_chart(metric: MetricResult) -> str:
    """An SVG of the lift's 95% interval per treatment, with a zero line."""
    low, high = _scale(metric)
    height = TOP + ROW * max(1, len(metric.comparisons)) + 10

    def x(value: float) -> float:
        return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - RIGHT)

    parts = [(f'<svg class="interval-chart" data-metric="{escape(metric.metric)}" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'aria-label="Lift over the control with 95% intervals: {escape(metric.metric)}">'),
             f'<text x="{LEFT}" y="14">lift over the control (95% interval)</text>',
             (f'<line class="zero" x1="{x(0):.1f}" y1="{TOP - 8}" x2="{x(0):.1f}" y2="{height - 4}" stroke="#999" '
             'stroke-dasharray="4 3"/>'),
             f'<text x="{x(0) + 3:.1f}" y="{height - 6}">0</text>']
    for row, c in enumerate(metric.comparisons):
        y = TOP + row * ROW + ROW / 2
        parts.append(f'<text x="6" y="{y + 4:.1f}">{escape(c.treatment)}</text>')
        if c.lift_ci is not None:
            color = "#2e7d32" if c.lift_ci[0] > 0 else "#c62828" if c.lift_ci[1] < 0 else "#546e7a"
            parts.append(f'<line class="interval" data-treatment="{escape(c.treatment)}" x1="{x(c.lift_ci[0]):.1f}" '
                         f'y1="{y:.1f}" x2="{x(c.lift_ci[1]):.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="6" '
                         f'stroke-linecap="round"><title>{escape(c.treatment)}: [{fmt_number(c.lift_ci[0], sign=True)}, '
                         f'{fmt_number(c.lift_ci[1], sign=True)}]</title></line>')
        if c.lift is not None:
            parts.append(f'<circle class="lift" data-treatment="{escape(c.treatment)}" cx="{x(c.lift):.1f}" '
                         f'cy="{y:.1f}" r="5" fill="#111"><title>lift {fmt_number(c.lift, sign=True)}</title></circle>')
        else:
            parts.append(f'<text x="{LEFT}" y="{y + 4:.1f}">no unit in an arm</text>')
    parts.append("</svg>")
    return "".join(parts)


def _metric_table(metric: MetricResult, control: str) -> str:
    rows = ["<tr><th>treatment</th><th>units</th><th>mean</th><th>" + escape(control) + " units</th><th>"
            + escape(control) + " mean</th><th>lift</th><th>95% interval</th><th>relative</th><th>p</th>"
            "<th>Holm p</th></tr>"]
    for c in metric.comparisons:
        interval = "-" if c.lift_ci is None else f"[{fmt_number(c.lift_ci[0], sign=True)}, {fmt_number(c.lift_ci[1], sign=True)}]"
        relative = "-" if c.relative_lift is None else f"{c.relative_lift:+.1%}"
        rows.append(f'<tr data-treatment="{escape(c.treatment)}"><td>{escape(c.treatment)}</td><td>{c.units:,}</td>'
                    f"<td>{fmt_number(c.mean)}</td><td>{c.control_units:,}</td><td>{fmt_number(c.control_mean)}</td>"
                    f"<td>{fmt_number(c.lift, sign=True)}</td><td>{interval}</td><td>{relative}</td>"
                    f"<td>{fmt_p(c.p_value)}</td><td>{fmt_p(c.p_value_holm)}</td></tr>")
    verdicts = "".join(f'<p class="verdict">{escape(c.treatment)} vs {escape(control)}: {escape(c.verdict)}</p>'
                       for c in metric.comparisons)
    return "<table>" + "".join(rows) + "</table>" + verdicts


def render_html(results: Results) -> str:
    """The whole page."""
    title = f"Experiment {results.experiment or results.definition_id}, run {results.run}"
    srm_class = "mismatch" if results.srm.mismatch else "ok"
    body = [f"<h1>{escape(title)}</h1>"]
    if results.simulated:
        body.append('<p class="simulated" id="simulated">Simulated: these logs come from the checkout demo\'s '
                    "simulated run, not from AppConfig's assignment.</p>")
    body.append(f'<p class="note">Experiment definition {escape(results.definition_id)}, run {results.run}. '
                f"Excluded: {results.excluded_units:,} unit(s) assigned more than one treatment. Bad lines: "
                f"{results.bad_lines:,}. Other lines skipped: {results.other_lines:,}.</p>")
    body.append(f'<h2>Sample ratio</h2><p id="srm-verdict" class="verdict {srm_class}" '
                f'data-mismatch="{str(results.srm.mismatch).lower()}">{escape(split_line(results))}</p>'
                f'<p class="note">Chi-square against the configured weights; a mismatch at p &lt; {SRM_ALPHA:g} means '
                "the assignment or the logging went wrong, and no comparison below can be trusted.</p>")
    if results.bad_examples:
        body.append("<h2>Bad lines (first few)</h2><ul>" + "".join(
            f"<li><code>{escape(b.describe())}</code></li>" for b in results.bad_examples) + "</ul>")
    for metric in results.metrics:
        kind = " (binary: 1 if any outcome)" if metric.binary else ""
        body.append(f'<section class="metric" data-metric="{escape(metric.metric)}"><h2>{escape(metric.metric)}'
                    f"{escape(kind)}</h2>{interval_chart(metric)}{_metric_table(metric, results.control)}</section>")
    if not results.metrics:
        body.append("<p>No metric: the outcomes name none.</p>")
    body.append(f'<p class="note">Welch\'s t-test on unit values (a unit\'s outcomes from its first exposure); '
                f"p-values Holm-adjusted across all comparisons; no verdict below {MIN_UNITS} units per arm. "
                "Decide at the sample size you planned: looking every day and stopping at the first p &lt; 0.05 "
                "finds differences that are not there.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")
