"""The experiment results' HTML report in headless Chromium (the page tests' browser): it renders its charts
and the SRM verdict from the file alone, loading nothing else."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout.demo.experiment_log import ExperimentLog
from checkout.demo.simulate import simulate

from .chromium import CHROMIUM, NO_CHROMIUM, Chromium
from .test_demo_experiment import run_results

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]

#: What the page shows, measured by the browser: each chart's drawn intervals and dots, and what it loaded.
MEASURE = """(() => {
  const charts = [...document.querySelectorAll("svg.interval-chart")].map(svg => ({
    metric: svg.dataset.metric,
    width: svg.getBoundingClientRect().width,
    intervals: [...svg.querySelectorAll("line.interval")].map(l => l.getBBox().width),
    dots: [...svg.querySelectorAll("circle.lift")].map(c => c.getBBox().width)}));
  const srm = document.getElementById("srm-verdict");
  return {charts, srm: srm.textContent, mismatch: srm.dataset.mismatch, simulated: !!document.getElementById("simulated"),
          loaded: performance.getEntriesByType("resource").map(r => r.name), scripts: document.scripts.length};
})()"""


def test_the_html_report_renders_its_charts_and_the_srm_verdict_in_chromium(chromium: Chromium, tmp_path: Path) -> None:
    log = ExperimentLog(tmp_path / "experiment")
    simulate(log, visitors=400, seed=7, order_rate=0.6, btc_per_percent=0.02)
    report = tmp_path / "report.html"
    code, _, err = run_results(log, "--html", str(report))
    assert code == 0, err
    shown = chromium.evaluate(report.as_uri(), MEASURE)
    assert [c["metric"] for c in shown["charts"]] == ["bitcoin-order", "order", "revenue"]
    for chart in shown["charts"]:
        assert chart["width"] > 300
        assert len(chart["intervals"]) == 1 and chart["intervals"][0] > 1  # a bar with a width, drawn
        assert len(chart["dots"]) == 1 and chart["dots"][0] > 0
    assert shown["srm"].startswith("Split: c ") and "as configured" in shown["srm"] and shown["mismatch"] == "false"
    assert shown["simulated"] is True
    assert shown["loaded"] == [] and shown["scripts"] == 0  # standalone: nothing fetched, no script
