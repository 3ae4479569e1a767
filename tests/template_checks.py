"""Helpers the template tests share: cfn-lint, and templates made stable for snapshots."""
from __future__ import annotations

import copy
import json
from typing import Any

from cfnlint.api import ManualArgs, lint


def cfn_lint_errors(template: dict[str, Any]) -> list[str]:
    """cfn-lint's errors (not warnings or informational findings) for ``template``."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches if m.rule.severity == "error"]


def stable(template: dict[str, Any]) -> dict[str, Any]:
    """``template`` without what changes with tool versions: CDK metadata, the bootstrap version check."""
    out = copy.deepcopy(template)
    out.get("Resources", {}).pop("CDKMetadata", None)
    out.get("Conditions", {}).pop("CDKMetadataAvailable", None)
    out.get("Parameters", {}).pop("BootstrapVersion", None)
    out.get("Rules", {}).pop("CheckBootstrapVersion", None)
    for section in ("Conditions", "Parameters", "Rules"):
        if section in out and not out[section]:
            del out[section]
    return out
