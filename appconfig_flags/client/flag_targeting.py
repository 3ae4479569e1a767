"""A multi-variant flag as this process evaluates it (:class:`FlagTargeting`), and what a read serves."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from appconfig_flags.model import Evaluation, FlagEvaluator, Variant
from appconfig_flags.model.targeting.context import encode_local

from .flag_data import FlagData


class _JsonVariant(NamedTuple):
    name: str
    enabled: bool
    rule: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FlagTargeting:
    """A multi-variant flag as this process evaluates it: its variants and their compiled form.

    Equality compares the variants (name, status, rule, values), so a changed rule or variant value
    is a change of the flag. ``keys``: the context keys its rules read; ``default_variant``: the name
    of the variant served when no rule matches; ``static``: no variant has a rule.
    """

    variants: tuple[Any, ...]
    evaluator: FlagEvaluator = field(compare=False)
    _served: dict[str | None, FlagData] = field(default_factory=dict, compare=False, repr=False)
    keys: tuple[str, ...] = field(init=False, compare=False, repr=False)
    default_variant: str | None = field(init=False, compare=False, repr=False)
    static: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Plain fields, not properties: every read with a context looks at them.
        object.__setattr__(self, "keys", self.evaluator.keys)
        object.__setattr__(self, "default_variant", self.evaluator.default.variant)
        object.__setattr__(self, "static", not self.evaluator.has_rules)

    def serve(self, context: Mapping[str, str]) -> FlagData:
        """The data served for an encoded context (text, as the Agent receives it); one object per variant."""
        return self._data(self.evaluator.evaluate_encoded(context))

    def serve_local(self, context: Mapping[str, object]) -> FlagData:
        """The data served for a caller's context, evaluated in this process: only :attr:`keys` are read.

        ``ValueError`` when a value a rule reads cannot be compared (a list, a naive datetime, an over-long text).
        """
        keys = self.keys
        evaluation = self.evaluator.evaluate_encoded(encode_local(context, keys) if keys else {})
        data = self._served.get(evaluation.variant)
        return data if data is not None else self._data(evaluation)

    def _data(self, evaluation: Evaluation) -> FlagData:
        data = self._served.get(evaluation.variant)
        if data is None:
            data = self._served[evaluation.variant] = data_of(evaluation)
        return data

    def rule_of(self, variant: str | None) -> str | None:
        """The rule text of ``variant`` (``None`` for the default variant or a name it does not have)."""
        for candidate in self.variants:
            if candidate.name == variant:
                rule = candidate.rule
                return None if rule is None else str(rule)
        return None

    @classmethod
    def from_variants_json(cls, flag_key: str, variants: list[dict[str, Any]]) -> FlagTargeting:
        """From a ``_variants`` list (``name``, ``enabled``, ``rule``, ``attributeValues``); rules are parsed here."""
        held = tuple(_JsonVariant(v["name"], v["enabled"], v.get("rule"), v.get("attributeValues", {})) for v in variants)
        return cls(variants=held, evaluator=FlagEvaluator(flag_key, held))

    @classmethod
    def from_variants(cls, flag_key: str, variants: Sequence[Variant]) -> FlagTargeting:
        """From a catalogue flag's variants: rule objects are compiled as they are, rule text parsed once per process."""
        held = tuple(variants)
        return cls(variants=held, evaluator=FlagEvaluator(flag_key, held))


def data_of(evaluation: Evaluation) -> FlagData:
    """An evaluation as served flag data (arrays as tuples, like every snapshot)."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in evaluation.values.items()}
    return FlagData(enabled=evaluation.enabled, values=MappingProxyType(values), variant=evaluation.variant)
