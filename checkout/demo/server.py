"""A small threaded WSGI server for the demo (stdlib only)."""
from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request; the app only reads the client's immutable snapshot, so no locks."""

    daemon_threads = True


class _LoggingHandler(WSGIRequestHandler):
    # Headers and body are separate writes: with Nagle's algorithm on, a response can wait out the
    # browser's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_demo_server(app: Any, *, host: str = "127.0.0.1", port: int = 8000) -> ThreadingWSGIServer:
    """A server for ``app`` on ``host:port`` (``port=0``: any free port; see ``server.server_port``)."""
    server = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=_LoggingHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server
