"""What the fakes share: an HTTP server on 127.0.0.1 in a daemon thread, started and stopped by the test."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from typing_extensions import Self


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing its keep-alive connection at exit is not an error


class LoopbackServer:
    """A fake served over HTTP on 127.0.0.1 (``start(port)``, default a free port), usable as ``with fake:``.

    Subclasses give the request handler class (:meth:`handler`) and may do more when stopping
    (:meth:`stopping`, called before the server shuts down).
    """

    _server: ThreadingHTTPServer | None = None
    #: The serving thread's name, as thread listings show it.
    thread_name = "fake-server"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def stopping(self) -> None:
        """Called by :meth:`stop` before the server shuts down (Default: nothing)."""

    def start(self, port: int = 0) -> Self:
        self._server = _QuietServer(("127.0.0.1", port), self.handler())
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
