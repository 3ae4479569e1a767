"""One headless Chromium for the page tests, driven over the DevTools protocol on a pipe.

Starting Chromium costs about a second; loading a page in a running one, a fraction of that. Each
load gets a new browser context (its own cache and cookies, as a fresh profile would) and returns
the DOM once the page's load event fired, as ``chromium --dump-dom`` prints it. The protocol runs on
``--remote-debugging-pipe``: JSON messages, each ended by a NUL byte, written to the browser's fd 3
and read from its fd 4 (Chrome DevTools Protocol, https://chromedevtools.github.io/devtools-protocol/).
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
#: Why the browser tests are skipped where there is no Chromium.
NO_CHROMIUM = "needs Chromium for the end-to-end page test: apt-get install chromium (CI's .ci/run installs it)"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


class BrowserError(AssertionError):
    """Chromium failed, timed out or answered a command with an error; carries the end of its stderr."""


class Chromium:
    """A running headless Chromium; :meth:`dom` loads a URL and returns its DOM as HTML."""

    def __init__(self, executable: str, profile: Path, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._log = profile.parent / f"{profile.name}-stderr.log"
        browser_reads, ours_to_browser = os.pipe()
        ours_from_browser, browser_writes = os.pipe()
        # The browser's ends go to fds 3 and 4 through a shell's redirections (no preexec_fn, unsafe in a
        # process with threads): first moved to 10 and up, clear of 3 and 4, and passed to the shell alone.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (browser_reads, browser_writes)]
        for fd in (browser_reads, browser_writes):
            os.close(fd)
        trampoline = f'exec "$0" "$@" 3<&{high[0]} 4>&{high[1]} {high[0]}<&- {high[1]}>&-'
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen(
                ["bash", "-c", trampoline, executable, *FLAGS, f"--user-data-dir={profile}",
                 "--remote-debugging-pipe", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=high)
        for fd in high:
            os.close(fd)
        self._out = ours_to_browser
        self._in = ours_from_browser
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        try:
            self.call("Browser.getVersion")
        except BaseException:
            self._process.kill()
            self.close()
            raise

    def dom(self, url: str) -> str:
        """The DOM of ``url`` after its load event, in a browser context of its own."""
        html: str = self.evaluate(url, "document.documentElement.outerHTML")
        return html

    def evaluate(self, url: str, expression: str) -> Any:
        """The value of the JavaScript ``expression`` (a promise: what it resolves to) in ``url`` after its load event,
        in a browser context of its own."""
        context = self.call("Target.createBrowserContext")["browserContextId"]
        try:
            target = self.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=session)
            navigated = self.call("Page.navigate", {"url": url}, session=session)
            if navigated.get("errorText"):
                raise BrowserError(f"Chromium could not load {url}: {navigated['errorText']}")
            self._wait_for_event("Page.loadEventFired", session)
            evaluated = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                       "awaitPromise": True}, session=session)
            if "exceptionDetails" in evaluated:
                raise BrowserError(f"{expression!r} failed in {url}: {evaluated['exceptionDetails']}")
            return evaluated["result"].get("value")
        finally:
            self.call("Target.disposeBrowserContext", {"browserContextId": context})
            self._events.clear()

    def close(self) -> None:
        try:
            if self._process.poll() is None:
                self._send("Browser.close")
            self._process.wait(timeout=10)
        except (OSError, BrowserError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait(timeout=10)
        finally:
            os.close(self._out)
            os.close(self._in)

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> Any:
        """Send one command and return its result; events that arrive meanwhile are kept for later."""
        number = self._send(method, params, session)
        while True:
            message = self._receive()
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"Chromium refused {method}: {message['error']}")
                return message["result"]
            self._events.append(message)

    def _wait_for_event(self, method: str, session: str) -> None:
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self._events):
            self._events.append(self._receive())

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._out, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise BrowserError(f"Chromium exited (status {self._process.poll()}){self._stderr()}") from None
        return self._next_id

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise BrowserError(f"Chromium did not answer within {self.timeout:g} s{self._stderr()}")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise BrowserError(f"Chromium exited (status {self._process.poll()}){self._stderr()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def _stderr(self) -> str:
        try:
            return "; its stderr ends:\n" + self._log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""
