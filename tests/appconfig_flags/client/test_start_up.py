"""What a service's start-up loads: no logging, hashlib or random, no classes it does not use, until it needs them."""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from appconfig_flags.client import Backoff, FlagsClient, LocalSource
from appconfig_flags.client.lazy_logging import LazyLogger
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

ROOT = Path(__file__).resolve().parents[3]

#: The cold-start benchmark's service (bench/cold_start.py), then what it loaded.
SERVICE = """
import sys
from appconfig_flags.client import FlagsClient, LocalSource
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
client.poll()
assert client.enabled(ALLOW_BITCOIN_AT_CHECKOUT)
print(sorted(m for m in ("logging", "hashlib", "fractions", "random", "appconfig_flags.client.status",
                         "appconfig_flags.model.targeting.problem", "appconfig_flags.model.rule_table")
             if m in sys.modules))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)


def test_a_service_reading_local_flags_loads_no_logging_hashlib_random_or_unused_tables() -> None:
    assert _run(SERVICE).stdout.strip() == "[]"


def test_without_logging_imported_info_is_dropped_and_a_warning_still_reaches_stderr() -> None:
    result = _run("import sys\n"
                  "from appconfig_flags.client.lazy_logging import LazyLogger\n"
                  "log = LazyLogger('svc')\n"
                  "log.info('quiet %s', 1)\n"
                  "print('logging' in sys.modules)\n"
                  "log.warning('loud %s', 2)\n"
                  "print('logging' in sys.modules)\n")
    assert result.stdout.split() == ["False", "True"]
    assert result.stderr.strip() == "loud 2"  # logging's last-resort handler, as with a plain logger


def test_client_records_name_the_client_method_that_logged(caplog: pytest.LogCaptureFixture) -> None:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    with caplog.at_level(logging.INFO, logger="appconfig_flags.client.client"):
        client.poll()
    (record,) = [r for r in caplog.records if "loaded configuration version" in r.getMessage()]
    assert record.name == "appconfig_flags.client.client" and record.levelno == logging.INFO
    assert record.funcName == "_accept" and Path(record.pathname).name == "client.py"
    assert client.enabled(ALLOW_BITCOIN_AT_CHECKOUT)


def test_exception_logs_an_error_with_the_exception_being_handled(caplog: pytest.LogCaptureFixture) -> None:
    log = LazyLogger("appconfig_flags.tests")
    with caplog.at_level(logging.DEBUG, logger="appconfig_flags.tests"):
        log.debug("debug %d", 1)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("failed %s", "here")
        log.log(logging.WARNING, "at %s", "warning", exc_info=False)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, "debug 1"), (logging.ERROR, "failed here"), (logging.WARNING, "at warning")]
    error = caplog.records[1]
    assert error.exc_info is not None and error.exc_info[0] is RuntimeError
    assert error.funcName == "test_exception_logs_an_error_with_the_exception_being_handled"


def test_the_default_backoff_jitter_is_uniform_in_zero_one() -> None:
    backoff = Backoff(cap=1000, jitter=1.0)
    delays = [backoff.delay(10, 1) for _ in range(200)]
    assert all(10 <= d < 20 for d in delays) and len(set(delays)) > 100
