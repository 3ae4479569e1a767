"""Fail the synth, not the deploy, when a stack's template is too big for CloudFormation.

Every flag of a profile is written into the template once per environment (the content of each
``AWS::AppConfig::HostedConfigurationVersion``), so a large catalogue reaches CloudFormation's limit on a
template long before AppConfig's 2 MB per hosted version. ``cdk deploy`` uploads the template to the
bootstrap bucket and CloudFormation reads it from there: "CloudFormation quotas" puts a template body in
an Amazon S3 object at 1 MB, and aws-cdk-lib warns from 1,000,000 bytes. :class:`TemplateSizeCheck` is
a CDK validation plugin (``Validations.of(app).add_plugins``): it reads each synthesized template and
fails the synth with one violation naming the stack, its size, the limit and the largest contributors
(which profile in which environment), instead of a warning and a failed deploy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

#: The template body CloudFormation reads from Amazon S3: 1 MB ("CloudFormation quotas"), counted as aws-cdk-lib's
#: own warning counts it (``TEMPLATE_BODY_MAXIMUM_SIZE``, 1,000,000 bytes of the template as written).
TEMPLATE_MAX_BYTES = 1_000_000
RULE = "template-size"
#: How many of the largest resources the violation names.
SHOWN = 5


@dataclass(frozen=True)
class Contributor:
    """One resource of a template and the bytes it takes there."""

    logical_id: str
    size: int
    what: str


def contributors(template: dict[str, Any]) -> list[Contributor]:
    """The template's resources, largest first; a hosted version is named by its profile and environment."""
    resources: dict[str, Any] = template.get("Resources", {})
    out = []
    for logical_id, resource in resources.items():
        size = len(json.dumps({logical_id: resource}, indent=1))
        out.append(Contributor(logical_id, size, _what(logical_id, resource, resources)))
    return sorted(out, key=lambda c: c.size, reverse=True)


def _what(logical_id: str, resource: dict[str, Any], resources: dict[str, Any]) -> str:
    properties = resource.get("Properties", {})
    if resource.get("Type") == "AWS::AppConfig::HostedConfigurationVersion":
        ref = properties.get("ConfigurationProfileId")
        target = (ref.get("Ref") or (ref.get("Fn::GetAtt") or [None])[0]) if isinstance(ref, dict) else None
        profile = resources.get(target, {}).get("Properties", {}).get("Name") if isinstance(target, str) else None
        label = properties.get("VersionLabel")
        environment = label.rsplit("-", 1)[0] if isinstance(label, str) and "-" in label else None
        if profile and environment:
            return f"profile {profile} in {environment} (its flags, as a hosted version)"
    return f"{logical_id} ({resource.get('Type', 'resource')})"


def size_violation(stack: str, template_path: str, *, max_bytes: int = TEMPLATE_MAX_BYTES) -> PolicyViolation | None:
    """The violation of the template at ``template_path`` (stack ``stack``), or None when it fits."""
    size = Path(template_path).stat().st_size
    if size <= max_bytes:
        return None
    largest = contributors(json.loads(Path(template_path).read_text(encoding="utf-8")))[:SHOWN]
    shown = "; ".join(f"{c.what}: {c.size:,} bytes" for c in largest)
    return PolicyViolation(
        rule_name=RULE,
        description=(f"stack {stack}: its template is {size:,} bytes, over CloudFormation's limit of {max_bytes:,} "
                     f'bytes for a template ("CloudFormation quotas": a template body in Amazon S3, 1 MB, which '
                     f"cdk deploy uploads); the largest: {shown}"),
        fix=("one environment per stack (as the pipeline's stages deploy), fewer or smaller flags, or the flags "
             "split into profiles deployed by separate stacks; docs/deploy.md, 'Size limits'"),
        # The largest only: the report repeats the violation once per resource, and the description names the rest.
        violating_resources=[PolicyViolatingResource(resource_logical_id=largest[0].logical_id,
                                                     template_path=template_path,
                                                     locations=[f"Resources/{largest[0].logical_id}"])],
    )


@jsii.implements(IPolicyValidationPlugin)
class TemplateSizeCheck:
    """A validation plugin failing the synth when a template is over ``max_bytes`` (Default: 1,000,000 bytes).

    ``cdk.Validations.of(app).add_plugins(TemplateSizeCheck())``. Acknowledge with ``template-size::template-size``
    only for a template deployed some other way.
    """

    def __init__(self, *, max_bytes: int = TEMPLATE_MAX_BYTES) -> None:
        self._max_bytes = max_bytes

    @property
    def name(self) -> str:
        return RULE

    @property
    def version(self) -> str:
        return "1.0.0"

    @property
    def rule_ids(self) -> list[str]:
        return [RULE]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        violations = []
        for path in context.template_paths:
            stack = Path(path).name.removesuffix(".template.json")
            found = size_violation(stack, path, max_bytes=self._max_bytes)
            if found is not None:
                violations.append(found)
        return PolicyValidationPluginReport(success=not violations, violations=violations)


__all__ = ["TEMPLATE_MAX_BYTES", "Contributor", "TemplateSizeCheck", "contributors", "size_violation"]
