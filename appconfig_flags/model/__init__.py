"""The flag model: plain typed Python, no CDK. Validated against AppConfig's own rules."""
from .attributes import Attribute, AttributeType, AttributeValue, Constraints
from .flag import Flag, FlagValue, ShortTerm, Variant
from .problems import FlagValidationError, Problem
from .profile import Profile, check_document_text
from .retrieval import retrieval_form
from .schema import check_document
from .targeting import Evaluation, FlagEvaluator, Rule, RuleProblem, ctx, encode_context, weighted_split

__all__ = [
    "Attribute",
    "AttributeType",
    "AttributeValue",
    "Constraints",
    "Evaluation",
    "Flag",
    "FlagEvaluator",
    "FlagValidationError",
    "FlagValue",
    "Problem",
    "Profile",
    "Rule",
    "RuleProblem",
    "ShortTerm",
    "Variant",
    "check_document",
    "check_document_text",
    "ctx",
    "encode_context",
    "retrieval_form",
    "weighted_split",
]
