"""The flag model: plain typed Python, no CDK. Validated against AppConfig's own rules."""
from typing import TYPE_CHECKING, Any

from .attributes import Attribute, AttributeType, AttributeValue, Constraints
from .flag import Flag, FlagValue, ShortTerm, Variant
from .problems import FlagValidationError, Problem
from .profile import Profile, check_document_text
from .retrieval import retrieval_form
from .schema import check_document
from .targeting.rule import Rule, ctx

if TYPE_CHECKING:
    from .targeting import Evaluation, FlagEvaluator, RuleProblem, encode_context, weighted_split


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

#: Targeting names loaded on first use: importing the model does not load the rule parser or evaluator.
_TARGETING = frozenset({"Evaluation", "FlagEvaluator", "RuleProblem", "encode_context", "weighted_split"})

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Import a targeting name on first use (PEP 562)."""
        if name in _TARGETING:
            from . import targeting

            return getattr(targeting, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
