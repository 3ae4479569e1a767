"""examples/lambda_reader: a Lambda function reading its flags through the AppConfig Lambda extension.

The stack is synthesized in this process; the handler runs in the runtime-only venv against a
local stand-in for the extension (HTTP on 127.0.0.1), so it is proved to need appconfig_flags alone.
"""
from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Capture, Template

from appconfig_flags.model import retrieval_form
from tests.conftest import ROOT
from tests.packaging.conftest import clean_env, run

EXAMPLE = ROOT / "examples" / "lambda_reader"
LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:AWS-AppConfig-Extension:1"
PROFILE_PATH = "/applications/Shipping/environments/Live/configurations/ShippingFlags"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example's app.py as a namespace (its folder on sys.path, as `cdk synth` runs it there)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        return runpy.run_path(str(EXAMPLE / "app.py"), run_name="lambda_reader_app")


@pytest.fixture(scope="module")
def template(example: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Template:
    bundle = example["stage_bundle"](tmp_path_factory.mktemp("bundle") / "function")
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")), analytics_reporting=False)
    stack = example["ShippingStack"](app, "Shipping", env=cdk.Environment(region="eu-west-1"), bundle=bundle,
                                     extension_layer_arn=LAYER)
    return Template.from_stack(stack)


def test_the_function_has_the_extension_layer_and_names_what_to_read(template: Template) -> None:
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "python3.12",
        "Handler": "handler.handler",
        "Layers": [LAYER],
        "Environment": {"Variables": {
            "FLAG_APPLICATION": "Shipping", "FLAG_ENVIRONMENT": "Live", "FLAG_PROFILE": "ShippingFlags",
            "AWS_APPCONFIG_EXTENSION_PREFETCH_LIST": PROFILE_PATH,
        }},
    })


def test_the_functions_role_may_read_exactly_the_profile_in_live(template: Template) -> None:
    role = Capture()
    template.has_resource_properties("AWS::Lambda::Function", {"Role": {"Fn::GetAtt": [role, "Arn"]}})
    policies = template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role.as_string()}]}})
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert [s["Action"] for s in statements] == [["appconfig:StartConfigurationSession",
                                                  "appconfig:GetLatestConfiguration"]]
    resource = json.dumps(statements[0]["Resource"])
    assert "environment/" in resource and "configuration/" in resource
    template.has_resource_properties("AWS::AppConfig::Environment", {"Name": "Live"})
    template.has_resource_properties("AWS::AppConfig::ConfigurationProfile", {"Name": "ShippingFlags"})


def test_the_bundle_is_the_handler_the_catalogue_and_the_runtime_package(example: dict[str, Any],
                                                                           tmp_path: Path) -> None:
    bundle = example["stage_bundle"](tmp_path / "function")
    top = sorted(p.name for p in bundle.iterdir())
    assert top == ["appconfig_flags", "handler.py", "shipping_flags.py"]
    assert (bundle / "appconfig_flags" / "client" / "agent.py").is_file()
    assert not list(bundle.rglob("__pycache__"))


def test_a_region_without_a_layer_arn_stops_the_synth_with_one_line(example: dict[str, Any]) -> None:
    app = cdk.App(context={"appconfigExtensionLayerArns": {"us-east-1": "arn:aws:lambda:us-east-1:1:layer:X:1"}})
    with pytest.raises(SystemExit) as stopped:
        example["extension_layer_arn"](app, "eu-west-1")
    message = str(stopped.value.code)
    assert message.startswith("error: no AppConfig Lambda extension layer ARN for eu-west-1:") and "\n" not in message
    assert example["extension_layer_arn"](cdk.App(context={"appconfigExtensionLayerArn": LAYER}), "eu-west-1") == LAYER


EXTENSION_STAND_IN = """
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps(json.loads(sys.argv[1])).encode()
paths = []

class Extension(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # else each response waits out the client's delayed ACK
    def do_GET(self):
        paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Extension)
threading.Thread(target=server.serve_forever, daemon=True).start()
os.environ.update(AWS_APPCONFIG_EXTENSION_HTTP_PORT=str(server.server_address[1]), FLAG_APPLICATION="Shipping",
                  FLAG_ENVIRONMENT="Live", FLAG_PROFILE="ShippingFlags")
from handler import handler
print(json.dumps([handler({"weightKg": 7}, None), handler({"weightKg": 12}, None), paths,
                  sorted(m for m in ("boto3", "botocore", "aws_cdk") if m in sys.modules)]))
"""


@pytest.mark.slow
@pytest.mark.xdist_group("packaging")
def test_the_handler_reads_the_extension_with_the_runtime_alone(runtime_venv: Path, tmp_path: Path) -> None:
    for name in ("handler.py", "shipping_flags.py"):
        shutil.copy2(EXAMPLE / name, tmp_path / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(EXAMPLE))
        from shipping_flags import SHIPPING_FLAGS  # type: ignore[import-not-found]
    served = json.dumps(retrieval_form(SHIPPING_FLAGS, "Live"))
    result = run([str(runtime_venv), "-c", EXTENSION_STAND_IN, served], cwd=tmp_path, env=clean_env())
    first, second, paths, loaded = json.loads(result.stdout)
    assert first == {"express": True, "maxExpressWeightKg": 10, "flags": "served"}
    assert second == {"express": False, "maxExpressWeightKg": 10, "flags": "served"}
    assert paths == [PROFILE_PATH]  # one call: the second invocation's poll was not due
    assert loaded == []
