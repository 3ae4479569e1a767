"""``appconfig-flags summary [DIR]``: what a synthesized cloud assembly declares, one line per AppConfig resource.

Reads the templates of a ``cdk synth`` output folder (``DIR``, default ``cdk.out``), the pipeline's
stages (nested assemblies ``assembly-*/``) included, and prints, per template, the application, its
environments and monitors, each profile's flag values per environment (variants with their rules in
brief), the deployment strategies, each deployment's timing and what it waits for, the experiments,
and how long ``cdk deploy`` waits; run it after ``cdk synth`` (this repository's ``make synth`` does). It reads the
templates as plain JSON: no CDK, no AWS. Exit status: 0, or 1 with one ``error:`` line when the
folder holds no template or a template cannot be read.
"""
from __future__ import annotations

import argparse
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
        lines.append(f"    {props.get('Description', '')}:")
        lines += [f"      {line}" for line in _flag_values(props["Content"])]
    for strategy in by_type.get("AWS::AppConfig::DeploymentStrategy", {}).values():
        p = strategy["Properties"]
        lines.append(f"  strategy {p['Name']}: {p.get('GrowthType', 'LINEAR')} {p['GrowthFactor']}% over "
                     f"{p['DeploymentDurationInMinutes']} min, bake {p.get('FinalBakeTimeInMinutes', 0)} min")
    deployments = by_type.get("AWS::AppConfig::Deployment", {})
    for logical_id, deployment in deployments.items():
        p = deployment["Properties"]
        strategy = p["DeploymentStrategyId"]
        ref = strategy.get("Ref") if isinstance(strategy, dict) else None
        shown = strategy if isinstance(strategy, str) else _name(resources[ref]) if ref in resources else "?"
        after = deployment.get("DependsOn", [])
        waits = f", after {', '.join(resources[d]['Properties'].get('Description', d) for d in after)}" if after else ""
        lines.append(f"  deployment {p.get('Description', logical_id)} with {shown}{waits}: "
                     f"{_timing_text(_timing(strategy, resources))}")
    runs = {_ref_of(r["Properties"].get("ExperimentDefinitionIdentifier")): r
            for r in by_type.get("AWS::AppConfig::ExperimentRun", {}).values()}
    for logical_id, definition in by_type.get("AWS::AppConfig::ExperimentDefinition", {}).items():
        lines.append(f"  {_experiment_text(definition, runs.get(logical_id), resources)}")
    if deployments:
        lines.append(f"  {_blocking_text(deployments, resources)}")
    return lines


def _ref_of(identifier: Any) -> str | None:
    """The logical id an ``{"Fn::GetAtt": [id, "Id"]}`` or ``{"Ref": id}`` names."""
    if isinstance(identifier, dict):
        if "Ref" in identifier:
            return str(identifier["Ref"])
        if "Fn::GetAtt" in identifier:
            return str(identifier["Fn::GetAtt"][0])
    return None


def _experiment_text(definition: dict[str, Any], run: dict[str, Any] | None, resources: dict[str, dict[str, Any]]) -> str:
    """One line: name, flag, what it waits for, audience, each treatment (weight and the values that differ), run."""
    p = definition["Properties"]
    after = [resources[d]["Properties"].get("Description", d) for d in definition.get("DependsOn", []) if d in resources]
    arms = [p.get("Control", {}), *p.get("Treatments", [])]
    values = [{k: next(iter(v.values()), None) for k, v in arm.get("AttributeValues", {}).items()} for arm in arms]
    differing = [k for k in dict.fromkeys(k for v in values for k in v) if len({json.dumps(v.get(k)) for v in values}) > 1]
    shown = []
    for arm, value in zip(arms, values):
        parts = ["on" if arm.get("Enabled") else "off", *(f"{k}={json.dumps(value.get(k))}" for k in differing)]
        shown.append(f"{arm.get('Key', '?')} weight {arm.get('Weight')} ({', '.join(parts)})")
    rule = str(p.get("AudienceRule", "?"))
    rule = rule if len(rule) <= RULE_SHOWN else rule[:RULE_SHOWN - 1] + "…"
    exposure = f"run at {run['Properties'].get('ExposurePercentage')}% exposure" if run is not None else "no run"
    pinned = (run or {}).get("Properties", {}).get("TreatmentOverrides", {}).get("Inline", {})
    if pinned:
        exposure += f", {len(pinned)} entity override(s)"
    waits = f", after {', '.join(after)}" if after else ""
    return (f"experiment {p.get('Name')} on {p.get('FlagKey')}{waits}: audience {rule}; {'; '.join(shown)}; {exposure}")


def _flag_values(content: Any) -> list[str]:
    """One line per flag of a document: on/off and its effective attribute values, or its variants."""
    if not isinstance(content, str):
        return ["(content known only at deploy time)"]
    values: dict[str, Any] = json.loads(content).get("values", {})
    lines = []
    for key, value in values.items():
        attributes = [f"{name}={json.dumps(v, ensure_ascii=False)}" for name, v in value.items()
                      if name != "enabled" and not name.startswith("_")]
        variants = value.get("_variants")
        state = "on" if value.get("enabled") else "off"
        if variants:
            state = "variants " + "; ".join(_variant_text(v) for v in variants)
        lines.append(f"{key}: {', '.join([state, *attributes])}")
    return lines


#: Rule text longer than this is cut in the summary (flags-diff shows it whole).
RULE_SHOWN = 60


def _variant_text(variant: dict[str, Any]) -> str:
    rule = variant.get("rule")
    if rule is None:
        where = "default"
    else:
        where = f"rule {rule if len(rule) <= RULE_SHOWN else rule[:RULE_SHOWN - 1] + '…'}"
    return f"{variant.get('name')} ({'on' if variant.get('enabled') else 'off'}, {where})"


#: AppConfig's predefined strategies: (deployment minutes, final bake minutes). AWS AppConfig User Guide,
#: "Using predefined deployment strategies".
PREDEFINED_TIMING = {
    "AppConfig.AllAtOnce": (0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": (1, 1),
    "AppConfig.Canary10Percent20Minutes": (20, 10),
    "AppConfig.Linear20PercentEvery6Minutes": (30, 30),
}


def _timing(strategy: Any, resources: dict[str, dict[str, Any]]) -> tuple[int, int] | None:
    """(deployment minutes, bake minutes) of a deployment's strategy; None when the template cannot tell."""
    if isinstance(strategy, str):
        return PREDEFINED_TIMING.get(strategy)
    resource = resources.get(strategy.get("Ref", "")) if isinstance(strategy, dict) else None
    if resource is None:
        return None
    p = resource["Properties"]
    duration, bake = p.get("DeploymentDurationInMinutes"), p.get("FinalBakeTimeInMinutes", 0)
    return (duration, bake) if isinstance(duration, int) and isinstance(bake, int) else None


def _timing_text(timing: tuple[int, int] | None) -> str:
    if timing is None:
        return "duration unknown"
    duration, bake = timing
    return f"{duration} min rollout + {bake} min bake = {duration + bake} min"


def _blocking_text(deployments: dict[str, dict[str, Any]], resources: dict[str, dict[str, Any]]) -> str:
    """How long `cdk deploy` waits: the longest chain of deployments (each waits for the ones it depends on)."""
    finish: dict[str, int | None] = {}

    def finished(logical_id: str, seen: tuple[str, ...] = ()) -> int | None:
        if logical_id not in finish:
            deployment = deployments[logical_id]
            timing = _timing(deployment["Properties"]["DeploymentStrategyId"], resources)
            before = [finished(d, (*seen, logical_id)) for d in deployment.get("DependsOn", [])
                      if d in deployments and d not in seen]
            if timing is None or None in before:
                finish[logical_id] = None
            else:
                finish[logical_id] = sum(timing) + max([b for b in before if b is not None], default=0)
        return finish[logical_id]

    ends = [finished(logical_id) for logical_id in deployments]
    if None in ends:
        return "cdk deploy waits for every deployment, bake included: how long is unknown (a strategy is not in the template)"
    return (f"cdk deploy waits up to {max(e for e in ends if e is not None)} min (every deployment, in order, "
            "bake included); only environments whose flags changed deploy again")


def _stack_of(template: Path) -> str:
    """`` (stack name, aws://account/region)`` of a stage stack, from its assembly's manifest.json; else ``""``."""
    manifest = template.parent / "manifest.json"
    if template.parent.name.startswith("assembly-") and manifest.exists():
        for artifact in json.loads(manifest.read_text()).get("artifacts", {}).values():
            if artifact.get("properties", {}).get("templateFile") == template.name:
                return f" ({artifact['properties'].get('stackName', '?')}, {artifact.get('environment', '?')})"
    return ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default="cdk.out", type=Path,
                        help="the cdk synth output folder (default: cdk.out)")


def run(args: argparse.Namespace) -> int:
    outdir: Path = args.directory
    if not outdir.is_dir():
        print(f"error: {outdir} is not a folder; run `cdk synth` first (it writes cdk.out)", file=sys.stderr)
        return 1
    # The pipeline's stages (one per target of each environment) are nested assemblies, assembly-*/.
    templates = sorted(outdir.glob("*.template.json")) + sorted(outdir.glob("assembly-*/*.template.json"))
    if not templates:
        print(f"error: no templates in {outdir} (*.template.json); run `cdk synth` first", file=sys.stderr)
        return 1
    summaries: list[tuple[Path, list[str]]] = []
    for path in templates:
        try:
            template = json.loads(path.read_text(encoding="utf-8"))
            summaries.append((path, summarize(template)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            # Nothing printed for a half-read folder: one line naming the file and what is wrong with it.
            print(f"error: cannot read the template {path}: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    for path, lines in summaries:
        print(f"{path.relative_to(outdir)}{_stack_of(path)}:" + ("" if lines else " (no AppConfig resources)"))
        for line in lines:
            print(f"  {line}")
    return 0

