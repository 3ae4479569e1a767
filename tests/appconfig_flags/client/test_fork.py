"""After fork, the child drops the parent's poller, boto3 client and token, and polls on its own."""
from __future__ import annotations

import json
import os
import sys
import threading
import time

import pytest

from appconfig_flags.client import FlagsClient
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from tests.fakes.appconfigdata import GET, START, FakeAppConfigData

from .conftest import appconfig_source

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="needs os.fork (Linux)")


def _child_report(client: FlagsClient, write_fd: int) -> None:
    """Runs in the child: read a flag (which starts the child's poller), wait for its poll, report."""
    try:
        before = [t.name for t in threading.enumerate() if t.name.startswith("flags-poller")]
        served_before_polling = client.enabled(BITCOIN)  # inherited snapshot, then the poller starts
        deadline = time.monotonic() + 5
        while client.status().polls == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        status = client.status()
        after = [t for t in threading.enumerate() if t.name.startswith("flags-poller")]
        report = {"pollers_before": before, "pollers_after": len(after), "daemon": all(t.daemon for t in after),
                  "served_before_polling": served_before_polling, "polls": status.polls,
                  "session_starts": status.session_starts, "error": status.last_error_code}
        os.write(write_fd, json.dumps(report).encode())
    finally:
        os._exit(0)


def test_a_forked_child_starts_its_own_poller_and_session() -> None:
    with FakeAppConfigData(next_poll_interval=600) as fake:
        fake.deploy({BITCOIN.key: {"enabled": True}}, label="1")
        client = FlagsClient(appconfig_source(fake.endpoint_url, time.monotonic), catalogue=CHECKOUT_FLAGS)  # type: ignore[arg-type]
        assert client.start(wait=5)
        parent_poller = client._thread
        parent_token = client.source._token  # type: ignore[attr-defined]
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child_report(client, write_fd)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            report = json.loads(pipe.read() or "{}")
        os.waitpid(pid, 0)
        try:
            assert report["pollers_before"] == []  # threads do not survive fork
            assert report["served_before_polling"] is True  # the inherited snapshot is still served
            assert (report["pollers_after"], report["daemon"], report["polls"], report["error"]) == (1, True, 1, None)
            assert report["session_starts"] == 1  # its own session...
            assert len(fake.operations(START)) == 2
            child_get = fake.operations(GET)[-1]
            assert child_get.token != parent_token  # ...never the parent's token
            assert parent_poller is not None and parent_poller.is_alive()  # the parent is untouched
        finally:
            client.close()
