"""The cdk-nag findings the delivery pipeline accepts, each with why, on the narrowest construct that has it.

The findings are in the grants aws-cdk-lib's pipelines module writes for its own resources (artifact
bucket and key, CodeBuild logs and reports, self-mutation); each acknowledgement names the resource.
"""
from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import IConstruct

#: Action wildcards of CDK's read grant on the artifact bucket (a step reads its input)...
BUCKET_READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
#: ... and of its read-write grant (the pipeline, the source and the synth write artifacts).
BUCKET_ACTIONS = ("s3:Abort*", "s3:DeleteObject*", *BUCKET_READ_ACTIONS)
#: Action wildcards of CDK's grants on the artifact key (cross-account pipelines only).
KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:ReEncrypt*")

#: Why a CodeBuild project of a single-account pipeline has no customer-managed key.
_UNENCRYPTED_PROJECT = (
    "Every stage deploys to the pipeline's own account, so the pipeline has no customer-managed key (a cross-account "
    "pipeline has one, and its projects use it); the private artifact bucket encrypts build artifacts with the "
    "AWS-managed aws/s3 KMS key.")


def acknowledge_pipeline_findings(pipeline: pipelines.CodePipeline, *,
                                  wait_steps: Sequence[pipelines.CodeBuildStep] = ()) -> None:
    """Acknowledge the findings in the roles and bucket ``pipeline`` (built) declares.

    ``wait_steps`` run with roles of their own, outside ``pipeline``: their findings are acknowledged on
    those roles (``acknowledge_watcher_findings``), not here, where they would match nothing.
    """
    stack = cdk.Stack.of(pipeline)
    bucket = pipeline.pipeline.artifact_bucket
    _acknowledge(pipeline, _artifact_findings(bucket, BUCKET_ACTIONS))
    own_role = {step.project.node.path for step in wait_steps}
    for project in pipeline.node.find_all():
        if isinstance(project, codebuild.CfnProject):
            if project.node.scope is not None and project.node.scope.node.path not in own_role:
                _acknowledge(pipeline, _project_findings(stack, project))
            if bucket.encryption_key is None:
                _acknowledge(project, {"AwsSolutions-CB4": _UNENCRYPTED_PROJECT})
    bucket_resource = bucket.node.default_child
    assert bucket_resource is not None
    _acknowledge(bucket_resource, {
        "AwsSolutions-S1": "Only the pipeline's own roles read and write this private bucket (its policy denies "
                           "non-TLS access): each run's source zip and cloud assembly, which CodePipeline and "
                           "CodeBuild already record per execution. Access logs would list only those roles' requests.",
    })
    _acknowledge_cross_region_support(pipeline)
    role = pipeline.node.find_child("UpdatePipeline").node.find_child("SelfMutation").node.find_child("Role")
    _acknowledge(role, {
        f"AwsSolutions-IAM5[Resource::arn:*:iam::{stack.account}:role/*]":
            "Self-mutation assumes the CDK bootstrap roles of the pipeline's account to deploy the pipeline stack; "
            "the statement's condition admits only roles tagged aws-cdk:bootstrap-role deploy/file-publishing/"
            "image-publishing.",
        "AwsSolutions-IAM5[Resource::*]":
            "aws-cdk-lib's pipelines module gives the self-mutation role cloudformation:DescribeStacks and "
            "s3:ListBucket on every resource, with no option to narrow them; `cdk deploy` works through the "
            "bootstrap deploy role it assumes (the statement above). Both actions only read: stack descriptions "
            "and bucket listings, no template, object or change.",
    })


def _acknowledge_cross_region_support(pipeline: pipelines.CodePipeline) -> None:
    """Stages in other regions than the pipeline's: CodePipeline copies artifacts to a bucket in each of them.

    aws-cdk-lib creates those buckets (and their KMS keys) in support stacks, one per region
    (``cross-region-stack-<account>:<region>``).
    """
    support = pipeline.pipeline.cross_region_support
    if not support:
        return
    stack = cdk.Stack.of(pipeline)
    findings = {}
    for region, replication in support.items():
        name = stack.resolve(replication.replication_bucket.bucket_name)
        findings[f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:s3:::{name}/*]"] = (
            f"The objects of the pipeline's replication bucket in {region} (created by aws-cdk-lib for the stages "
            "there): each run writes new keys (source zip, cloud assembly).")
        bucket = replication.replication_bucket.node.default_child
        assert bucket is not None
        _acknowledge(bucket, {
            "AwsSolutions-S1": f"CodePipeline's copy of the artifact bucket in {region}: only the pipeline's roles "
                               "use this private bucket (TLS only); each run's artifacts, which CodePipeline "
                               "already records per execution. Access logs would list only those roles' requests.",
        })
    _acknowledge(pipeline, findings)
    _acknowledge(pipeline.pipeline.role, {
        "AwsSolutions-IAM5[Resource::*]":
            "aws-cdk-lib's grant on the KMS keys of the replication buckets in other regions, which the pipeline stack "
            "knows only by alias (they live in the support stacks), so the grant names no key ARN; it allows only "
            "kms:Decrypt, DescribeKey, Encrypt, GenerateDataKey* and ReEncrypt* (artifacts), nothing else.",
    })


def acknowledge_watcher_findings(role: IConstruct, step: pipelines.CodeBuildStep, pipeline: pipelines.CodePipeline) -> None:
    """Acknowledge the findings in the grants CodeBuild adds to a wait step's ``role``."""
    project = step.project.node.default_child
    assert isinstance(project, codebuild.CfnProject)
    _acknowledge(role, {**_artifact_findings(pipeline.pipeline.artifact_bucket, BUCKET_READ_ACTIONS),
                        **_project_findings(cdk.Stack.of(role), project)})
    if pipeline.pipeline.artifact_bucket.encryption_key is None:
        _acknowledge(project, {"AwsSolutions-CB4": _UNENCRYPTED_PROJECT})


def _artifact_findings(bucket: s3.IBucket, actions: tuple[str, ...]) -> dict[str, str]:
    stack = cdk.Stack.of(bucket)
    bucket_resource = bucket.node.default_child
    assert isinstance(bucket_resource, cdk.CfnResource)
    logical_id = stack.resolve(stack.get_logical_id(bucket_resource))
    findings = {
        f"AwsSolutions-IAM5[Action::{action}]":
            f"CDK's grant on the pipeline's own artifact bucket ({bucket.node.path}): the statement names only that "
            "bucket and its objects."
        for action in actions
    }
    findings[f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/*]"] = (
        "The objects of the pipeline's own artifact bucket: each run writes new keys (source zip, cloud assembly).")
    if bucket.encryption_key is not None:
        findings.update({
            f"AwsSolutions-IAM5[Action::{action}]":
                f"CDK's grant on the artifact bucket's own KMS key ({bucket.encryption_key.node.path}): the statement "
                "names only that key."
            for action in KEY_ACTIONS
        })
    return findings


def _project_findings(stack: cdk.Stack, project: codebuild.CfnProject) -> dict[str, str]:
    logical_id = stack.resolve(stack.get_logical_id(project))
    prefix = f"arn:{stack.partition}:%s:{stack.region}:{stack.account}"
    return {
        f"AwsSolutions-IAM5[Resource::{prefix % 'logs'}:log-group:/aws/codebuild/<{logical_id}>:*]":
            f"CodeBuild writes the log streams of its own project ({project.node.path}) only; stream names are per build.",
        f"AwsSolutions-IAM5[Resource::{prefix % 'codebuild'}:report-group/<{logical_id}>-*]":
            f"CodeBuild's report groups of its own project ({project.node.path}) only; they are named after it.",
    }


def _acknowledge(scope: IConstruct, findings: dict[str, str]) -> None:
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=id, reason=reason) for id, reason in findings.items()))
