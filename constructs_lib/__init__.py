"""AWS AppConfig feature flags as code: a typed flag model and the CDK constructs that deploy it.

The flag model (:mod:`appconfig_flags.model`) is plain Python and validates flags with AppConfig's
own rules; it is re-exported here. The constructs need aws-cdk-lib and are imported on first use
(PEP 562), so that ``import appconfig_flags.model`` does not load the CDK: a runtime client can
use the model without paying for aws_cdk's import.

Public API: the names in ``__all__``, all importable from here
(``from constructs_lib import FlagsApplication, Flag, Profile``); the submodules' other names may
change in any release. docs/reuse.md shows how to install and use the package.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from appconfig_flags.model import (
    Attribute,
    AttributeType,
    AttributeValue,
    Constraints,
    Experiment,
    ExperimentRun,
    Flag,
    FlagValidationError,
    FlagValue,
    Problem,
    Profile,
    Rule,
    ShortTerm,
    Treatment,
    Variant,
    check_document,
    check_document_text,
    ctx,
    retrieval_form,
)

if TYPE_CHECKING:
    from appconfig_flags.model import Evaluation, FlagEvaluator, RuleProblem, encode_context, weighted_split

    from .application import FlagsApplication
    from .environment import EnvironmentOptions, GuardedEnvironment
    from .experiment import FlagExperiment
    from .feature_flag_profile import FeatureFlagOptions, FeatureFlagProfile
    from .monitors import AlarmMonitor
    from .props import PropsError
    from .strategies import DeploymentStrategy, GrowthType

#: Each CDK name, and the submodule that defines it; imported by ``__getattr__`` when first read.
_CONSTRUCTS = {
    "FlagsApplication": ".application",
    "GuardedEnvironment": ".environment",
    "EnvironmentOptions": ".environment",
    "FlagExperiment": ".experiment",
    "FeatureFlagProfile": ".feature_flag_profile",
    "FeatureFlagOptions": ".feature_flag_profile",
    "AlarmMonitor": ".monitors",
    "DeploymentStrategy": ".strategies",
    "GrowthType": ".strategies",
    "PropsError": ".props",
}

#: Targeting names the model itself loads on first use; read through it so they stay one object.
_MODEL_ON_FIRST_USE = frozenset({"Evaluation", "FlagEvaluator", "RuleProblem", "encode_context", "weighted_split"})

#: The public API: the constructs (imported on first use), the flag model, and its CDK-free subpackage.
__all__ = [
    "AlarmMonitor",
    "Attribute",
    "AttributeType",
    "AttributeValue",
    "Constraints",
    "DeploymentStrategy",
    "EnvironmentOptions",
    "Evaluation",
    "Experiment",
    "ExperimentRun",
    "FeatureFlagOptions",
    "FeatureFlagProfile",
    "Flag",
    "FlagEvaluator",
    "FlagExperiment",
    "FlagValidationError",
    "FlagValue",
    "FlagsApplication",
    "GrowthType",
    "GuardedEnvironment",
    "Problem",
    "Profile",
    "PropsError",
    "Rule",
    "RuleProblem",
    "ShortTerm",
    "Treatment",
    "Variant",
    "check_document",
    "check_document_text",
    "ctx",
    "encode_context",
    "retrieval_form",
    "weighted_split",
]

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from appconfig_flags._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(
        __name__, {**_CONSTRUCTS, **dict.fromkeys(_MODEL_ON_FIRST_USE, "appconfig_flags.model")}, __all__)
