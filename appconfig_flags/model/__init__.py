"""The flag model: plain typed Python, no CDK. Validated against AppConfig's own rules."""
from typing import TYPE_CHECKING

from .attributes import Attribute, AttributeType, AttributeValue, Constraints
from .flag import Flag, FlagValue, ShortTerm, Variant
from .problems import FlagValidationError, Problem
from .profile import Profile, check_document_text
from .retrieval import retrieval_form
from .schema import check_document
from .targeting.rule import Rule, ctx

if TYPE_CHECKING:
    from .experiments import Experiment, ExperimentRun, Treatment
    from .targeting import Evaluation, FlagEvaluator, RuleProblem, encode_context, weighted_split


__all__ = [
    "Attribute",
    "AttributeType",
    "AttributeValue",
    "Constraints",
    "Evaluation",
    "Experiment",
    "ExperimentRun",
    "Flag",
    "FlagEvaluator",
    "FlagValidationError",
    "FlagValue",
    "Problem",
    "Profile",
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

#: Targeting names loaded on first use: importing the model does not load the rule parser or evaluator.
_TARGETING = frozenset({"Evaluation", "FlagEvaluator", "RuleProblem", "encode_context", "weighted_split"})
#: Experiment names, loaded on first use too: a catalogue without experiments does not pay for them.
_EXPERIMENTS = frozenset({"Experiment", "ExperimentRun", "Treatment"})

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from appconfig_flags._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(
        __name__, {**dict.fromkeys(_TARGETING, ".targeting"), **dict.fromkeys(_EXPERIMENTS, ".experiments")}, __all__)
