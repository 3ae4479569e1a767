"""The pipeline tests' view of the session's one synth, and the accounts it puts each stage in."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import cdk_context

PIPELINE_ACCOUNT = "111111111111"
BETA_ACCOUNT = "222222222222"
PRODUCTION_ACCOUNT = "333333333333"
REGION = "eu-west-1"
CONNECTION_ARN = f"arn:aws:codeconnections:{REGION}:{PIPELINE_ACCOUNT}:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
REPOSITORY = "example-org/appconfig-flags"

#: A complete ``pipeline`` context: pipeline, Beta and Production each in their own account.
PIPELINE_CONTEXT: dict[str, Any] = {
    "enabled": True,
    "connectionArn": CONNECTION_ARN,
    "repository": REPOSITORY,
    "branch": "main",
    "manualApproval": True,
    "account": PIPELINE_ACCOUNT,
    "region": REGION,
}


def pipeline_app_context() -> dict[str, Any]:
    """cdk.json's context with the pipeline enabled and Beta and Production in accounts of their own."""
    context = copy.deepcopy(cdk_context())
    context["pipeline"] = dict(PIPELINE_CONTEXT)
    context["flagsdemo"]["environments"]["Beta"]["account"] = BETA_ACCOUNT
    context["flagsdemo"]["environments"]["Production"]["account"] = PRODUCTION_ACCOUNT
    return context


@pytest.fixture(scope="session")
def synthesized_with_pipeline(synthesized: Any) -> Any:
    """The session's one synth (tests/conftest.py), which has the pipeline enabled: (app, cloud assembly)."""
    return synthesized
