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


#: Loads the page as Lee in a frame, clicks "Place order" as a user would, and resolves with what the page shows after.
PLACE_ORDER = """new Promise((resolve, reject) => {
  const frame = document.createElement("iframe");
  let loads = 0;
  frame.addEventListener("load", () => {
    const doc = frame.contentDocument;
    loads += 1;
    if (loads === 1) { doc.getElementById("currency").value = "BTC"; doc.getElementById("place-order").click(); }
    else { resolve({placed: doc.getElementById("order-placed")?.textContent ?? null, url: frame.contentWindow.location.search}); }
  });
  setTimeout(() => reject(new Error("no second load")), 20000);
  frame.src = "/?persona=lee";
  document.body.appendChild(frame);
})"""


def test_place_order_in_chromium_logs_the_outcome_and_shows_it(chromium: Chromium, tmp_path: Path) -> None:
    import threading
    from datetime import date

    from appconfig_flags.client import FlagsClient, LocalSource
    from checkout.demo import CheckoutApp, make_demo_server
    from flags import CHECKOUT_FLAGS

    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    client.poll()
    log = ExperimentLog(tmp_path / "experiment")
    app = CheckoutApp(client, environment="Beta", today=lambda: date(2026, 6, 1), experiment_log=log)
    server = make_demo_server(app, port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        # Any page of the server hosts the frame (same origin, so the script may click inside it).
        shown = chromium.evaluate(f"http://127.0.0.1:{server.server_port}/status", PLACE_ORDER)
    finally:
        server.shutdown()
        server.server_close()
    assert shown["url"] == "?persona=lee&currency=BTC&ordered=%E2%82%BF0.00123750"
    assert shown["placed"].startswith("Order placed: \u20bf0.00123750.")
    metrics = [line.split('"metric":"')[1].split('"')[0] for line in log.outcomes.read_text().splitlines()]
    assert metrics == ["order", "bitcoin-order", "revenue"]
