#!/usr/bin/env python3
"""Shipping: a Lambda function that reads its feature flags through the AppConfig Lambda extension.

The stack deploys the ``ShippingFlags`` profile (shipping_flags.py) to ``Live`` with
constructs_lib, and a function (handler.py) with the AppConfig Lambda extension layer, its
environment naming what to read, and ``grant_read`` on exactly that profile in ``Live``.

The extension's layer ARN depends on the region (and the account AWS publishes it from): app.py
takes it from the ``appconfigExtensionLayerArns`` table in cdk.json, keyed by region, which you
fill from AWS's list (README.md); ``-c appconfigExtensionLayerArn=...`` overrides it. The stack
itself takes the ARN as a prop: constructs do no lookups.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from shipping_flags import APPLICATION, ENVIRONMENT, SHIPPING_FLAGS

import appconfig_flags
from constructs_lib import FlagsApplication

HERE = Path(__file__).resolve().parent
#: The function's own modules; the bundle adds the appconfig_flags package (it has no dependencies).
FUNCTION_MODULES = ("handler.py", "shipping_flags.py")
DOCS = "https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions-versions.html"


def stage_bundle(target: Path) -> Path:
    """Copy the handler, the catalogue and the installed ``appconfig_flags`` package into ``target``.

    The runtime distribution needs nothing else, so this is the whole bundle; a build would do the
    same with ``pip install --target DIR appconfig-flags``.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in FUNCTION_MODULES:
        shutil.copy2(HERE / name, target / name)
    package = Path(appconfig_flags.__file__).parent
    shutil.copytree(package, target / "appconfig_flags", ignore=shutil.ignore_patterns("__pycache__"),
                    dirs_exist_ok=True)
    return target


class ShippingStack(cdk.Stack):
    """The Shipping application's flags in Live, and the function that reads them through the extension."""

    def __init__(self, scope: Construct, id: str, *, bundle: Path, extension_layer_arn: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        application = FlagsApplication(self, "Shipping", application_name=APPLICATION)
        live = application.add_environment(ENVIRONMENT)
        flags = application.add_feature_flags("ShippingFlags", profile=SHIPPING_FLAGS)

        profile_path = f"/applications/{APPLICATION}/environments/{ENVIRONMENT}/configurations/{SHIPPING_FLAGS.name}"
        function = lambda_.Function(
            self, "ShippingQuote",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(bundle)),
            layers=[lambda_.LayerVersion.from_layer_version_arn(self, "AppConfigExtension", extension_layer_arn)],
            environment={
                "FLAG_APPLICATION": APPLICATION,
                "FLAG_ENVIRONMENT": ENVIRONMENT,
                "FLAG_PROFILE": SHIPPING_FLAGS.name,
                # The extension fetches this profile when the environment starts, before the first invocation.
                "AWS_APPCONFIG_EXTENSION_PREFETCH_LIST": profile_path,
            },
        )
        flags.grant_read(function, live)  # StartConfigurationSession + GetLatestConfiguration, this profile in Live


def extension_layer_arn(app: cdk.App, region: str) -> str:
    """The AppConfig Lambda extension layer for ``region``: ``-c appconfigExtensionLayerArn``, else cdk.json's table."""
    given = app.node.try_get_context("appconfigExtensionLayerArn")
    table = app.node.try_get_context("appconfigExtensionLayerArns") or {}
    arn = given or table.get(region)
    if not isinstance(arn, str) or not arn.startswith(f"arn:aws:lambda:{region}:"):
        sys.exit(f"error: no AppConfig Lambda extension layer ARN for {region}: add it to appconfigExtensionLayerArns "
                 f"in cdk.json (x86-64 list: {DOCS}) or pass -c appconfigExtensionLayerArn=ARN (got {arn!r})")
    return arn


def main() -> None:
    app = cdk.App()
    region = app.node.try_get_context("region")
    with tempfile.TemporaryDirectory() as staging:
        ShippingStack(app, "Shipping", env=cdk.Environment(region=region),
                      bundle=stage_bundle(Path(staging) / "function"),
                      extension_layer_arn=extension_layer_arn(app, region))
        app.synth()  # copies the bundle into cdk.out while it exists


if __name__ == "__main__":
    main()
