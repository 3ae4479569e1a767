"""A catalogue too big for one CloudFormation template fails the synth, naming the stack and what fills it (issue 31)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from appconfig_flags.model import Attribute, Flag, FlagValue, Profile, Rule, Variant
from constructs_lib.template_size import TEMPLATE_MAX_BYTES, TemplateSizeCheck, contributors, size_violation


def typical_flag(index: int) -> Flag:
    """The shape the issue measured: 3 attributes, Beta and Production values, every other flag with 3 variants."""
    production = FlagValue(enabled=True, values={"label": "Production option", "limit": 50, "mode": "safe"}) \
        if index % 2 else FlagValue(variants=(
            Variant(name="gold", enabled=True, rule=Rule.eq("tier", "gold"),
                    values={"label": "Gold option", "limit": 90, "mode": "fast"}),
            Variant(name="silver", enabled=True, rule=Rule.eq("tier", "silver"),
                    values={"label": "Silver option", "limit": 70, "mode": "safe"}),
            Variant(name="everyone", enabled=False)))
    return Flag(key=f"feature-{index:04d}", name=f"Feature {index}",
                description=f"Feature number {index} of the shop, rolled out per environment.",
                attributes=(Attribute.string("label", description="What the page shows for this feature."),
                            Attribute.number("limit", minimum=0, maximum=100, description="How much of it, in percent."),
                            Attribute.string("mode", enum=("fast", "safe"), description="How the feature behaves.")),
                enabled=False, values={"label": f"option {index}", "limit": index % 100, "mode": "fast"},
                environments={"Beta": FlagValue(enabled=True, values={"label": "Beta option", "limit": 10,
                                                                      "mode": "fast"}),
                              "Production": production})


def catalogue(flags: int) -> Profile:
    return Profile("ShopFlags", tuple(typical_flag(i) for i in range(flags)), application="FlagsDemo",
                   environments=("Beta", "Production"))


def _app_with(profile: Profile, outdir: Path) -> cdk.App:
    from stacks.flags_demo_stack import FlagsDemoStack
    from stacks.settings import FlagsDemoSettings
    from tests.conftest import cdk_context

    app = cdk.App(context=cdk_context(), outdir=str(outdir), analytics_reporting=False)
    FlagsDemoStack(app, "FlagsDemo", settings=FlagsDemoSettings.from_context(cdk_context()["flagsdemo"]),
                   profiles=[profile], experiments=False)
    cdk.Validations.of(app).add_plugins(TemplateSizeCheck())
    return app


@pytest.mark.slow
def test_a_thousand_typical_flags_fail_the_synth_naming_stack_size_limit_and_profiles(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = _app_with(catalogue(1000), tmp_path)
    with pytest.raises(RuntimeError, match="ValidationFailed") as failed:
        app.synth()
    assert str(failed.value).count("ERROR stack FlagsDemo: its template is") == 1, "one error, not one per resource"
    report = json.loads((tmp_path / "validation-report.json").read_text())
    [plugin] = [p for p in report["pluginReports"] if p["pluginName"] == "template-size"]
    [violation] = plugin["violations"]
    description = violation["description"]
    size = (tmp_path / "FlagsDemo.template.json").stat().st_size
    assert description.startswith(f"stack FlagsDemo: its template is {size:,} bytes, over CloudFormation's limit of "
                                  "1,000,000 bytes for a template")
    assert "the largest: profile ShopFlags in Production (its flags, as a hosted version): " in description
    assert "profile ShopFlags in Beta (its flags, as a hosted version): " in description
    assert violation["suggestedFix"].startswith("one environment per stack")


@pytest.mark.slow
def test_the_catalogue_of_this_app_and_a_profile_that_fits_synthesize(tmp_path: Path) -> None:
    app = _app_with(catalogue(100), tmp_path)
    app.synth()  # raises on a violation
    assert (tmp_path / "FlagsDemo.template.json").stat().st_size < TEMPLATE_MAX_BYTES


def test_the_app_registers_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import wire
    from tests.conftest import cdk_context

    added: list[Any] = []

    class Recorder:
        def __init__(self, scope: Any) -> None:
            pass

        def add_plugins(self, *plugins: Any) -> None:
            added.extend(plugins)

        def acknowledge(self, *acknowledgements: Any) -> None:
            pass

    monkeypatch.setattr(cdk.Validations, "of", staticmethod(Recorder))
    wire(cdk.App(context=cdk_context(), analytics_reporting=False))
    assert any(isinstance(p, TemplateSizeCheck) for p in added)


def test_contributors_name_hosted_versions_by_profile_and_environment(tmp_path: Path) -> None:
    template = {"Resources": {
        "Profile": {"Type": "AWS::AppConfig::ConfigurationProfile", "Properties": {"Name": "ShopFlags"}},
        "BetaVersion": {"Type": "AWS::AppConfig::HostedConfigurationVersion", "Properties": {
            "ConfigurationProfileId": {"Fn::GetAtt": ["Profile", "ConfigurationProfileId"]},
            "VersionLabel": "Beta-0123456789ab", "Content": "x" * 500}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    found = contributors(template)
    assert [(c.logical_id, c.what) for c in found] == [
        ("BetaVersion", "profile ShopFlags in Beta (its flags, as a hosted version)"),
        ("Profile", "Profile (AWS::AppConfig::ConfigurationProfile)"),
        ("Role", "Role (AWS::IAM::Role)")]
    path = tmp_path / "Small.template.json"
    path.write_text(json.dumps(template))
    assert size_violation("Small", str(path)) is None
    assert size_violation("Small", str(path), max_bytes=100) is not None


def test_a_document_over_the_hosted_version_quota_names_it_with_its_number() -> None:
    from appconfig_flags.model import check_document_text

    text = json.dumps({"version": "1", "flags": {"a": {"name": "A", "description": "x" * 1000}},
                       "values": {"a": {"enabled": True}}})
    [problem] = [p for p in check_document_text(text, name="Big", max_content_bytes=500) if p.rule == "content-size"]
    assert (f"the document is {len(text):,} bytes, over 500 bytes (max_content_bytes; AppConfig's quota on a hosted "
            "configuration version (2 MB = 2,097,152 bytes by default") in str(problem)
