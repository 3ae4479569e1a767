"""AWS Lambda handler: quotes a parcel, reading its flags through the AppConfig Lambda extension.

The extension (a layer, see app.py) polls AppConfig and serves its cache on localhost:2772;
``AgentSource`` reads it. A frozen execution environment runs no background thread, so the
client polls on each invocation, and ``poll()`` calls the extension only when a poll is due.
Imports ``appconfig_flags`` and the catalogue only: no boto3, no CDK.
"""
from __future__ import annotations

import os
from typing import Any

from shipping_flags import EXPRESS_SHIPPING, SHIPPING_FLAGS

from appconfig_flags.client import AgentSource, FlagsClient

FLAGS = FlagsClient(
    AgentSource(application=os.environ["FLAG_APPLICATION"], environment=os.environ["FLAG_ENVIRONMENT"],
                profile=os.environ["FLAG_PROFILE"]),
    catalogue=SHIPPING_FLAGS,
    background=False,
)


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """``{"weightKg": 7}`` -> ``{"express": true, "maxExpressWeightKg": 10, "flags": "served"}``."""
    FLAGS.poll()
    state = FLAGS.get(EXPRESS_SHIPPING)  # one consistent view: enabled and values from one version
    limit = state.value("max-weight-kg")
    weight = float(event.get("weightKg", 0))
    return {
        "express": state.enabled and isinstance(limit, (int, float)) and weight <= limit,
        "maxExpressWeightKg": limit,
        "flags": state.resolution.value,  # "served", or "not-loaded" when the extension did not answer
    }
