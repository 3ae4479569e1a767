"""End to end: ``python -m checkout.demo`` (what ``make demo`` runs) follows an edit of the catalogue, no restart.

The demo serves a COPY of the catalogue (``--catalogue-root``), never the repository's own
``flags/``; the test edits the copy while the demo runs and loads the page in headless Chromium.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .chromium import CHROMIUM, NO_CHROMIUM, Chromium
from .test_demo_page import Page

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "catalogue"
    shutil.copytree(ROOT / "flags", copy / "flags", ignore=shutil.ignore_patterns("__pycache__"))
    # The page drops the discount after its end date: keep the copy's discount running whatever the day.
    checkout = copy / "flags" / "checkout.py"
    source = checkout.read_text()
    assert source.count('DISCOUNT_ENDS = "12/31/2026"') == 1
    checkout.write_text(source.replace('DISCOUNT_ENDS = "12/31/2026"', 'DISCOUNT_ENDS = "12/31/2099"'))
    return copy


@pytest.fixture
def demo(catalogue_copy: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The demo as ``make demo`` starts it, on a free port, serving the copy; yields (url, process)."""
    process = subprocess.Popen([sys.executable, "-m", "checkout.demo", "--port", "0", "--catalogue-root",
                                str(catalogue_copy)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:  # the demo prints its URL once the flags are loaded and it listens
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                url = found.group(0)
                break
        assert url, "the demo did not start"
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def in_chromium(chromium: Chromium, url: str) -> Page:
    html = chromium.dom(url)
    assert "<html" in html, html[:2000]
    return Page(html)


def wait_for(url: str, text: str, timeout: float = 10.0) -> float:
    """Seconds until the page served at ``url`` contains ``text``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with urllib.request.urlopen(url, timeout=5) as response:
            if text in response.read().decode():
                return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the page did not show {text!r} within {timeout} s")


def test_flip_the_flag_reload_the_page(demo: tuple[str, subprocess.Popen[str]], catalogue_copy: Path,
                                       chromium: Chromium) -> None:
    url, process = demo
    before = in_chromium(chromium, url + "?currency=BTC")
    assert before.texts["flag-value-bitcoin-discount-percentage"] == "5"
    assert before.texts["discount"] == "\u2212$6.88"
    assert before.texts["flags-origin"].startswith("Flags from flags/checkout.py (Beta), reloaded ")

    checkout = catalogue_copy / "flags" / "checkout.py"
    source = checkout.read_text()
    assert '"bitcoin-discount-percentage": 5,' in source
    checkout.write_text(source.replace('"bitcoin-discount-percentage": 5,', '"bitcoin-discount-percentage": 10,'))
    wait_for(url, 'id="flag-value-bitcoin-discount-percentage">10<')

    after = in_chromium(chromium, url + "?currency=BTC")
    assert after.texts["flag-value-bitcoin-discount-percentage"] == "10"
    assert after.texts["discount"] == "\u2212$13.75" and after.texts["total"] == "$123.75"
    assert process.poll() is None  # the same demo process: no restart

    # A broken edit keeps the last good values and says what is wrong.
    checkout.write_text(source.replace('"bitcoin-discount-percentage": 5,', '"bitcoin-discount-percentage": 500,'))
    wait_for(url, "The last edit does not load")
    broken = in_chromium(chromium, url + "?currency=BTC")
    assert broken.texts["flag-value-bitcoin-discount-percentage"] == "10"
    assert "the value is above the maximum 100 (got 500)" in broken.texts["flags-origin"]
