#!/usr/bin/env python3
"""Wires the FlagsDemo stacks to the CDK app; settings come from cdk.json context."""
import aws_cdk as cdk

from stacks.entrypoint import run


def wire(app: cdk.App) -> None:
    """Add this app's stacks, and the cdk-nag checks that fail the synth on an unacknowledged finding."""
    # Imported here, inside run(): the flag catalogue validates itself when imported, and run()
    # turns a bad flag into one line per problem instead of a traceback.
    from cdk_nag import AwsSolutionsChecks

    from constructs_lib.template_size import TemplateSizeCheck
    from flags import PROFILES
    from stacks.flags_demo_stack import FlagsDemoStack
    from stacks.pipeline_settings import PipelineSettings
    from stacks.settings import FlagsDemoSettings

    # The application's name and the promotion order are the catalogue's; the rest is cdk.json's `flagsdemo`.
    settings = FlagsDemoSettings.from_context(app.node.try_get_context("flagsdemo"), catalogue=PROFILES)
    # `-c experiments=false` (make deploy-local): the profiles without their experiments, for an AppConfig without
    # experimentation such as the local AWS; the constructs know nothing of it.
    FlagsDemoStack(app, "FlagsDemo", settings=settings,
                   experiments=app.node.try_get_context("experiments") not in (False, "false"))
    # Only with `"enabled": true` in cdk.json's "pipeline" or `-c pipeline.enabled=true` (docs/pipeline.md).
    pipeline = PipelineSettings.requested(app.node, settings)
    if pipeline is not None:
        # Imported only when enabled: CDK Pipelines' modules cost a workstation synth ~3% (bench/synth.py).
        from stacks.pipeline_stack import FlagsDemoPipelineStack

        FlagsDemoPipelineStack(app, "FlagsDemoPipeline", settings=settings, pipeline=pipeline)
    # A template over CloudFormation's 1 MB fails the synth, naming the profiles that fill it.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True), TemplateSizeCheck())


def main() -> None:
    app = cdk.App()
    wire(app)
    app.synth()


if __name__ == "__main__":
    run(main)
