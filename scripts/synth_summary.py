"""Prints what a synthesized FlagsDemo cloud assembly declares: `python -m scripts.synth_summary cdk.out`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _name(resource: dict[str, Any]) -> str:
    return str(resource["Properties"].get("Name", "?"))


def summarize(template: dict[str, Any]) -> list[str]:
    """Lines describing the AppConfig resources of one template."""
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    by_type: dict[str, dict[str, dict[str, Any]]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource["Type"], {})[logical_id] = resource
    lines: list[str] = []
    for app in by_type.get("AWS::AppConfig::Application", {}).values():
        lines.append(f"application {_name(app)}")
    for env in by_type.get("AWS::AppConfig::Environment", {}).values():
        lines.append(f"  environment {_name(env)}: {len(env['Properties'].get('Monitors', []))} alarm monitor(s)")
    for profile in by_type.get("AWS::AppConfig::ConfigurationProfile", {}).values():
        lines.append(f"  profile {_name(profile)} ({profile['Properties'].get('Type')})")
    for version in by_type.get("AWS::AppConfig::HostedConfigurationVersion", {}).values():
        props = version["Properties"]
        values = json.loads(props["Content"]).get("values", {})
        flags = ", ".join(f"{k}={'on' if v.get('enabled') else 'off'}" for k, v in values.items())
        lines.append(f"    {props.get('Description', '')}: {flags}")
    for strategy in by_type.get("AWS::AppConfig::DeploymentStrategy", {}).values():
        p = strategy["Properties"]
        lines.append(f"  strategy {p['Name']}: {p.get('GrowthType', 'LINEAR')} {p['GrowthFactor']}% over "
                     f"{p['DeploymentDurationInMinutes']} min, bake {p.get('FinalBakeTimeInMinutes', 0)} min")
    for logical_id, deployment in by_type.get("AWS::AppConfig::Deployment", {}).items():
        p = deployment["Properties"]
        strategy = p["DeploymentStrategyId"]
        shown = strategy if isinstance(strategy, str) else _name(resources[strategy["Ref"]])
        after = deployment.get("DependsOn", [])
        waits = f", after {', '.join(resources[d]['Properties'].get('Description', d) for d in after)}" if after else ""
        lines.append(f"  deployment {p.get('Description', logical_id)} with {shown}{waits}")
    return lines


def main(argv: list[str]) -> int:
    outdir = Path(argv[1] if len(argv) > 1 else "cdk.out")
    templates = sorted(outdir.glob("*.template.json"))
    if not templates:
        print(f"no templates in {outdir}", file=sys.stderr)
        return 1
    for path in templates:
        lines = summarize(json.loads(path.read_text()))
        print(f"{path.name}:" + ("" if lines else " (no AppConfig resources)"))
        for line in lines:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
