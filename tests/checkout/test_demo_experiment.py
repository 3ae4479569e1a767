"""The demo's experiment data: Place order writes the visitor's outcomes, the simulated run its assignment
records in the Agent's file layout, and ``experiments results`` reads them (and says they are simulated)."""
from __future__ import annotations

import contextlib
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from appconfig_flags.client import FlagsClient, LocalSource
from appconfig_flags.experiments.assignments import count_entities, read_logs
from appconfig_flags.experiments.results_command import main as results_main
from checkout.demo import CheckoutApp
from checkout.demo.__main__ import results_command
from checkout.demo.experiment_log import ExperimentLog
from checkout.demo.simulate import simulate
from flags import CHECKOUT_FLAGS

from .test_demo_page import Page

EXPERIMENT = "bitcoin-discount-5-vs-10"


class Clock:
    """One second later at each reading: records are ordered as they were written."""

    def __init__(self) -> None:
        self.at = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def app_with_log(tmp_path: Path) -> tuple[CheckoutApp, ExperimentLog]:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    client.poll()
    log = ExperimentLog(tmp_path / "experiment", now=Clock())
    return CheckoutApp(client, environment="Beta", today=lambda: date(2026, 6, 1), experiment_log=log), log


def call(app: CheckoutApp, method: str, path: str, query: str = "", form: dict[str, str] | None = None
         ) -> tuple[str, dict[str, str], str]:
    seen: dict[str, Any] = {}
    body = urlencode(form or {}).encode()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen.update(status=status, headers=dict(headers))

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body))}
    text = b"".join(app(environ, start_response)).decode()
    return seen["status"], seen["headers"], text


def order(app: CheckoutApp, persona: str, currency: str) -> tuple[str, dict[str, str], str]:
    """As the page's form does: the visitor's context (hidden inputs) and the currency, posted to /order."""
    page = Page(call(app, "GET", "/", f"persona={persona}")[2])
    hidden = {a["name"]: a["value"] for a in page.inputs if a.get("type") == "hidden"}
    return call(app, "POST", "/order", form={**hidden, "currency": currency})


def test_place_order_writes_the_visitors_outcomes_and_returns_to_the_page(tmp_path: Path) -> None:
    app, log = app_with_log(tmp_path)
    status, headers, _ = order(app, "lee", "BTC")  # Lee: treatment t1, 10% off in BTC
    assert status == "303 See Other"
    assert headers["Location"] == "./?persona=lee&currency=BTC&ordered=%E2%82%BF0.00123750"
    records = [json.loads(line) for line in log.outcomes.read_text().splitlines()]
    assert [(r["entityId"], r["metric"], r["value"]) for r in records] == [
        ("user-1002", "order", 1), ("user-1002", "bitcoin-order", 1), ("user-1002", "revenue", 123.75)]
    page = Page(call(app, "GET", "/", headers["Location"].split("?", 1)[1])[2])
    assert page.texts["order-placed"].startswith("Order placed:")
    assert "\u20bf0.00123750" in " ".join(page.text)
    assert page.texts["persona-label"].startswith("Lee")


def test_an_order_in_usd_is_no_bitcoin_order(tmp_path: Path) -> None:
    app, log = app_with_log(tmp_path)
    order(app, "mia", "USD")
    assert [json.loads(line)["metric"] for line in log.outcomes.read_text().splitlines()] == ["order", "revenue"]


def test_the_simulated_run_logs_assignments_in_the_agents_file_layout(tmp_path: Path) -> None:
    app, log = app_with_log(tmp_path)
    for persona in ("lee", "mia", "lee", "ana", "anonymous", "grace"):
        call(app, "GET", "/", f"persona={persona}")
    files = sorted(p.relative_to(log.assignments).as_posix() for p in log.assignments.rglob("*.jsonl"))
    assert files == [f"local/000000000000/FlagsDemo/{EXPERIMENT}/1_simulated.jsonl"]
    lines = [json.loads(line) for line in log.assignment_file(EXPERIMENT).read_text().splitlines()]
    # One record per flag request of an exposed entity, as the Agent writes them; Ana is US but not exposed.
    assert [(r["entityId"], r["treatmentKey"]) for r in lines] == [
        ("user-1002", "t1"), ("user-1012", "c"), ("user-1002", "t1")]
    assert all(set(r) == {"timestamp", "treatmentKey", "entityId"} and r["timestamp"].endswith("Z") for r in lines)
    # The project's reader of the Agent's logs (appconfig_flags.experiments.assignments) reads them as such.
    counts = count_entities(read_logs([log.assignments]).assignments)
    assert [(c.experiment_definition_id, c.run, c.treatment_key, c.entities) for c in counts] == [
        (EXPERIMENT, 1, "c", 1), (EXPERIMENT, 1, "t1", 1)]


def run_results(log: ExperimentLog, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = results_command(log).split()[3:]  # the command the demo prints, after `python -m MODULE`
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = results_main([*argv, *extra])
    return code, out.getvalue(), err.getvalue()


def test_after_a_few_orders_the_result_reads_too_early_and_says_it_is_simulated(tmp_path: Path) -> None:
    app, log = app_with_log(tmp_path)
    order(app, "lee", "BTC")
    order(app, "mia", "USD")
    order(app, "ana", "BTC")  # not in the run: her outcome is not attributed
    code, text, _ = run_results(log)
    assert code == 0
    assert "SIMULATED by the demo" in text.splitlines()[0]
    assert "Split: c 1 (50.0%, configured 50%), t1 1 (50.0%, configured 50%)" in text
    assert "bitcoin-order, t1 vs c: too early: fewer than 100 units in an arm (t1 1, c 1)" in text
    found = json.loads(run_results(log, "--format", "json")[1])
    assert found["simulated"] is True and found["srm"]["units"] == {"c": 1, "t1": 1}
    bitcoin = next(m for m in found["metrics"] if m["metric"] == "bitcoin-order")
    assert bitcoin["binary"] is True
    assert (bitcoin["comparisons"][0]["mean"], bitcoin["comparisons"][0]["control_mean"]) == (1.0, 0.0)


@pytest.mark.slow
def test_simulated_visitors_give_a_readable_verdict(tmp_path: Path) -> None:
    log = ExperimentLog(tmp_path / "experiment")
    assert simulate(log, visitors=1200, seed=32, order_rate=0.6, btc_per_percent=0.02) > 600
    found = json.loads(run_results(log, "--format", "json")[1])
    assert found["srm"]["mismatch"] is False and min(found["srm"]["units"].values()) >= 100
    bitcoin = next(m for m in found["metrics"] if m["metric"] == "bitcoin-order")["comparisons"][0]
    assert bitcoin["lift"] > 0 and bitcoin["verdict"].startswith("t1 is higher than c")
