"""Targeting: AppConfig's variant rule language as typed objects, checked at synth, evaluated locally.

Public API (also exported from :mod:`appconfig_flags.model`):

Rules (:mod:`.rule`)
    ``Rule.eq/gt/gte/lt/lte/begins_with/ends_with/contains/in_/matches/exists/split/all/any/not_``,
    ``ctx("age") > 65``, ``a & b``, ``a | b``, ``~a``. ``str(rule)`` is the canonical rule text;
    ``Rule.parse(text)`` reads it back (``Rule.parse(str(rule)) == rule``) and raises
    :class:`~appconfig_flags.model.FlagValidationError` listing every problem.
    ``rule.evaluate(context, flag_key=None) -> bool``.
Checks (:mod:`.rule`, which runs :mod:`.checker`; :mod:`.variants`)
    ``check_rule(text, path=..., context={"tier": str}) -> RuleCheck(rule, problems, warnings)``;
    each :class:`RuleProblem` has ``rule`` (the category), ``position`` (offset in the text) and
    ``hint``. ``Profile`` runs these for every variant of every environment.
Evaluation (:mod:`.evaluate`)
    ``FlagEvaluator(flag_key, variants)`` (or ``.from_json(flag_key, variants_json)``) compiles a
    flag's variants once; ``.evaluate(context) -> Evaluation`` encodes the context first, and
    ``.evaluate_encoded(text_context)`` takes text as the Agent receives it, ``.evaluate_local(context)``
    reads any string as a source evaluating in process does; only the keys the rules read
    (``.keys``, :func:`context_keys`) are looked at. ``Evaluation.variant``
    is the variant's name and ``Evaluation.answer`` the Agent-shaped
    ``{"_variant": name, "enabled": bool, ...values only when enabled}``.
    ``Profile.evaluate(environment, flag, context)`` does this for a catalogue flag.
Context (:mod:`.context`)
    ``encode_context(mapping) -> dict[str, str]`` and ``context_header(mapping) -> str`` (the
    ``Context`` header value) raise ``ValueError`` for a key or value the Agent cannot receive.
Split (:mod:`.split`)
    ``weighted_split(by=..., weights={"A": 30, "B": 30}, seed=...)`` returns each variant's
    cumulative rule; ``in_split(salt, value, pct)`` is the local bucketing, which is **not**
    AppConfig's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checker import RuleCheck
    from .context import context_header, encode_context
    from .evaluate import Evaluation, FlagEvaluator, evaluate_variants
    from .problem import CATEGORIES, RuleProblem
    from .rule import (
        And,
        Compare,
        ContextKey,
        Exists,
        In,
        Matches,
        Not,
        Or,
        Rule,
        Split,
        check_rule,
        compile_rule,
        context_keys,
        ctx,
        parse_rule,
    )
    from .split import in_split, split_position, weighted_split
    from .variants import check_variant_rules

#: Each public name and the submodule that defines it, imported by ``__getattr__`` when first read:
#: ``import appconfig_flags.model`` loads only :mod:`.rule` and the small modules below it; the parser, checker and evaluator load
#: when a profile has variant rules or a caller evaluates one.
_LAZY = {
    "RuleCheck": ".checker", "check_rule": ".rule", "parse_rule": ".rule", "context_keys": ".rule",
    "context_header": ".context", "encode_context": ".context",
    "Evaluation": ".evaluate", "FlagEvaluator": ".evaluate", "compile_rule": ".rule", "evaluate_variants": ".evaluate",
    "CATEGORIES": ".problem", "RuleProblem": ".problem",
    "And": ".rule", "Compare": ".rule", "ContextKey": ".rule", "Exists": ".rule", "In": ".rule", "Matches": ".rule",
    "Not": ".rule", "Or": ".rule", "Rule": ".rule", "Split": ".rule", "ctx": ".rule",
    "in_split": ".split", "split_position": ".split", "weighted_split": ".split",
    "check_variant_rules": ".variants",
}

__all__ = [
    "CATEGORIES",
    "And",
    "Compare",
    "ContextKey",
    "Evaluation",
    "Exists",
    "FlagEvaluator",
    "In",
    "Matches",
    "Not",
    "Or",
    "Rule",
    "RuleCheck",
    "RuleProblem",
    "Split",
    "check_rule",
    "check_variant_rules",
    "compile_rule",
    "context_header",
    "context_keys",
    "ctx",
    "encode_context",
    "evaluate_variants",
    "in_split",
    "parse_rule",
    "split_position",
    "weighted_split",
]

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from appconfig_flags._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
