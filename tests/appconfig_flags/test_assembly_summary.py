"""`appconfig-flags summary`: what `make synth` prints after `cdk synth`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from appconfig_flags import cli
from appconfig_flags.assembly_summary import summarize


def test_the_summary_names_what_the_flagsdemo_stack_declares(synthesized: Any) -> None:
    _, assembly = synthesized
    lines = summarize(assembly.get_stack_by_name("FlagsDemo").template)
    assert lines == [
        "application FlagsDemo",
        "  environment Beta: 1 alarm monitor(s)",
        "  environment Production: 1 alarm monitor(s)",
        "  profile CheckoutFlags (AWS.AppConfig.FeatureFlags)",
        "    CheckoutFlags flags for Beta:",  # effective values (issue 11) and variants (issue 10)
        ('      allow-bitcoin-at-checkout: on, default-currency="USD", bitcoin-discount-percentage=5, '
         'bitcoin-discount-end-date="12/31/2026"'),
        ('      new-checkout-layout: variants compact-layout (on, rule (and (in $country ["US", "CA"]) '
         '(split pct::20 by::$userId …); classic-layout (off, default)'),  # long rules are cut
        "    CheckoutFlags flags for Production:",
        ('      allow-bitcoin-at-checkout: variants gold-tier-discount (on, rule (eq $tier "gold")); '
         'everyone-else (off, default)'),
        "      new-checkout-layout: off",
        "  strategy FlagsDemo.BetaBake5Minutes: LINEAR 100% over 0 min, bake 5 min",
        "  deployment CheckoutFlags to Beta with FlagsDemo.BetaBake5Minutes: 0 min rollout + 5 min bake = 5 min",
        ("  deployment CheckoutFlags to Production with AppConfig.Canary10Percent20Minutes, after CheckoutFlags to Beta: "
        "20 min rollout + 10 min bake = 30 min"),
        # One line per experiment: what it waits for, its audience, the values its treatments change (issue 19).
        ('  experiment bitcoin-discount-5-vs-10 on allow-bitcoin-at-checkout, after CheckoutFlags to Beta: audience '
         '(eq $country "US"); c weight 50 (on, bitcoin-discount-percentage=5); t1 weight 50 (on, '
         'bitcoin-discount-percentage=10); run at 50% exposure'),
        ("  cdk deploy waits up to 35 min (every deployment, in order, bake included); "
        "only environments whose flags changed deploy again"),
    ]


def hosted(description: str, values: dict[str, Any]) -> dict[str, Any]:
    content = json.dumps({"version": "1", "flags": {}, "values": values})
    return {"Type": "AWS::AppConfig::HostedConfigurationVersion",
            "Properties": {"Description": description, "Content": content}}


def deployment(description: str, strategy: object, *after: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": "AWS::AppConfig::Deployment",
                                "Properties": {"Description": description, "DeploymentStrategyId": strategy}}
    if after:
        resource["DependsOn"] = list(after)
    return resource


CUSTOM = {"Type": "AWS::AppConfig::DeploymentStrategy",
          "Properties": {"Name": "Slow", "GrowthFactor": 25, "DeploymentDurationInMinutes": 40,
                         "FinalBakeTimeInMinutes": 15}}


def test_deployments_side_by_side_wait_for_the_longest_chain_only() -> None:
    lines = summarize({"Resources": {
        "Slow": CUSTOM,
        "A": deployment("A", {"Ref": "Slow"}),
        "B": deployment("B", "AppConfig.AllAtOnce", "A"),
        "C": deployment("C", "AppConfig.Linear20PercentEvery6Minutes"),
    }})
    assert lines[1:] == [
        "  deployment A with Slow: 40 min rollout + 15 min bake = 55 min",
        "  deployment B with AppConfig.AllAtOnce, after A: 0 min rollout + 10 min bake = 10 min",
        "  deployment C with AppConfig.Linear20PercentEvery6Minutes: 30 min rollout + 30 min bake = 60 min",
        ("  cdk deploy waits up to 65 min (every deployment, in order, bake included); "
        "only environments whose flags changed deploy again"),
    ]


def test_a_strategy_the_template_cannot_time_is_said_so() -> None:
    lines = summarize({"Resources": {"A": deployment("A", {"Fn::ImportValue": "SharedStrategy"})}})
    assert lines == ["  deployment A with ?: duration unknown",
                     ("  cdk deploy waits for every deployment, bake included: how long is unknown "
                     "(a strategy is not in the template)")]


def test_variants_are_listed_with_their_rules_in_brief() -> None:
    long_rule = "(or " + " ".join(f'(eq $user "{n}")' for n in range(10)) + ")"
    lines = summarize({"Resources": {"V": hosted("P flags for Beta", {
        "f": {"_variants": [{"name": "testers", "enabled": True, "rule": long_rule,
                             "attributeValues": {"n": 1}},
                            {"name": "everyone", "enabled": False}]},
        "g": {"enabled": True, "colour": "blue", "sizes": [1, 2], "_updatedAt": "2026-01-01T00:00:00Z"},
    })}})
    assert lines == [
        "    P flags for Beta:",
        f"      f: variants testers (on, rule {long_rule[:59]}…); everyone (off, default)",
        '      g: on, colour="blue", sizes=[1, 2]',
    ]


def test_an_empty_output_folder_is_an_error(tmp_path: Path, capsys: Any) -> None:
    assert cli.main(["summary", str(tmp_path)]) == 1
    assert f"error: no templates in {tmp_path}" in capsys.readouterr().err
    (tmp_path / "Other.template.json").write_text(json.dumps({"Resources": {}}))
    assert cli.main(["summary", str(tmp_path)]) == 0
    assert "Other.template.json: (no AppConfig resources)" in capsys.readouterr().out


def test_a_missing_folder_or_an_unreadable_template_is_one_error_line_and_nothing_else(tmp_path: Path, capsys: Any) -> None:
    assert cli.main(["summary", str(tmp_path / "cdk.out")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"error: {tmp_path / 'cdk.out'} is not a folder; run `cdk synth` first (it writes cdk.out)\n"
    (tmp_path / "A.template.json").write_text(json.dumps({"Resources": {}}))
    (tmp_path / "B.template.json").write_text("{not json")
    assert cli.main(["summary", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # not half a summary
    assert captured.err.startswith(f"error: cannot read the template {tmp_path / 'B.template.json'}: JSONDecodeError")
    (tmp_path / "B.template.json").write_text(json.dumps({"Resources": {"X": {"Type": "AWS::AppConfig::Application"}}}))
    assert cli.main(["summary", str(tmp_path)]) == 1
    assert "B.template.json: KeyError: 'Properties'" in capsys.readouterr().err


def test_the_one_command_runs_it_on_cdk_out_by_default(synthesized: Any, tmp_path: Path, monkeypatch: Any,
                                                       capsys: Any) -> None:
    app, _ = synthesized
    (tmp_path / "cdk.out").symlink_to(app.outdir, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "FlagsDemo.template.json:\n  application FlagsDemo\n" in out


def test_an_experiment_without_a_run_says_so_and_shows_only_the_values_its_treatments_change() -> None:
    def arm(key: str, enabled: bool, **values: object) -> dict[str, Any]:
        return {"Key": key, "Enabled": enabled, "Weight": 1,
                "AttributeValues": {k: {"StringValue": v} for k, v in values.items()}}

    lines = summarize({"Resources": {"E": {"Type": "AWS::AppConfig::ExperimentDefinition", "Properties": {
        "Name": "layout", "FlagKey": "new-layout", "AudienceRule": "(exists key::\"userId\")",
        "Control": arm("c", False, layout="classic", colour="red"),
        "Treatments": [arm("t1", True, layout="compact", colour="red")]}}}})
    assert lines == [('  experiment layout on new-layout: audience (exists key::"userId"); c weight 1 (off, '
                     'layout="classic"); t1 weight 1 (on, layout="compact"); no run')]


def test_a_run_with_overrides_counts_them() -> None:
    lines = summarize({"Resources": {
        "E": {"Type": "AWS::AppConfig::ExperimentDefinition", "Properties": {
            "Name": "x", "FlagKey": "f", "AudienceRule": "(exists key::\"a\")",
            "Control": {"Key": "c", "Enabled": True, "Weight": 1}, "Treatments": []}},
        "R": {"Type": "AWS::AppConfig::ExperimentRun", "Properties": {
            "ExperimentDefinitionIdentifier": {"Fn::GetAtt": ["E", "Id"]}, "ExposurePercentage": 5,
            "TreatmentOverrides": {"Inline": {"qa-1": "c", "qa-2": "c"}}}}}})
    assert lines == [('  experiment x on f: audience (exists key::"a"); c weight 1 (on); run at 5% exposure, '
                     '2 entity override(s)')]
