"""examples/flags_outside_app (StoreFront): its function reads Live's flags with the runtime client through the extension.

The stack is synthesized in this process (the layer ARN given as the README says); the handler runs in this
process against the testing toolkit's Agent stand-in (one ``LocalAgent`` per profile behind one port, routed
by the profile in the path), so the variant of ``volume-discount`` is evaluated with the caller's context.
"""
from __future__ import annotations

import json
import runpy
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from appconfig_flags.testing import LocalAgent, ServedFlags
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "flags_outside_app"
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:AWS-AppConfig-Extension:1"


@pytest.fixture(scope="module")
def example() -> Iterator[dict[str, Any]]:
    """The example's app.py as a namespace (its folder on sys.path, as `cdk synth` runs it there)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        yield runpy.run_path(str(EXAMPLE / "app.py"), run_name="storefront_app")
        for name in ("handler", "storefront_flags"):
            sys.modules.pop(name, None)


def test_the_function_reads_both_profiles_through_the_extension(example: dict[str, Any],
                                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    bundle = example["stage_bundle"](tmp_path_factory.mktemp("bundle") / "function")
    assert sorted(p.name for p in bundle.iterdir()) == ["appconfig_flags", "handler.py", "storefront_flags.py"]
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")), analytics_reporting=False)
    stack = example["StoreFrontFlagsStack"](app, "StoreFrontFlags", bundle=bundle, extension_layer_arn=LAYER)
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {
        "Handler": "handler.handler", "Layers": [LAYER],
        "Environment": {"Variables": {"FLAG_ENVIRONMENT": "Live", "AWS_APPCONFIG_EXTENSION_PREFETCH_LIST": (
            "/applications/StoreFront/environments/Live/configurations/UiFlags,"
            "/applications/StoreFront/environments/Live/configurations/PricingFlags")}},
    })


def test_without_a_layer_arn_the_synth_stops_with_one_line_naming_the_option(example: dict[str, Any]) -> None:
    with pytest.raises(SystemExit, match="-c appconfigExtensionLayerArn=ARN"):
        example["extension_layer_arn"](cdk.App())


def _routed(agents: dict[str, LocalAgent]) -> ThreadingHTTPServer:
    class Route(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            profile = self.path.split("?")[0].rstrip("/").split("/")[-1]
            status, body = agents[profile].answer(self.path, dict(self.headers))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Route)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def test_the_handler_reads_lives_values_and_the_callers_variant(example: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from storefront_flags import PRICING_FLAGS, UI_FLAGS  # type: ignore[import-not-found]

    agents = {p.name: LocalAgent(ServedFlags(p, "Live")) for p in (UI_FLAGS, PRICING_FLAGS)}
    server = _routed(agents)
    try:
        monkeypatch.setenv("AWS_APPCONFIG_EXTENSION_HTTP_PORT", str(server.server_address[1]))
        monkeypatch.setenv("FLAG_ENVIRONMENT", "Live")
        sys.modules.pop("handler", None)
        import handler  # type: ignore[import-not-found]

        premium = handler.handler({"tier": "premium", "items": 4}, None)
        standard = handler.handler({"tier": "standard", "items": 20}, None)
    finally:
        server.shutdown()
        for agent in agents.values():
            agent.close()
    # Live: no holiday banner, free shipping from 75.00, the volume discount for premium customers only.
    assert premium == {"banner": None, "discountPercent": 15, "freeShippingFromCents": 7500, "flags": "served"}
    assert standard == {"banner": None, "discountPercent": 0, "freeShippingFromCents": 7500, "flags": "served"}
