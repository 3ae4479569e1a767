"""A multi-variant flag as this process evaluates it (:class:`FlagTargeting`), and what a read serves."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from appconfig_flags.model import Evaluation, FlagEvaluator

from .flag_data import FlagData


@dataclass(frozen=True, slots=True)
class FlagTargeting:
    """A multi-variant flag as this process evaluates it: its variants (name, rule text) and their compiled form.

    Equality compares the variants' JSON, so a changed rule or variant value is a change of the flag.
    """

    rules: tuple[tuple[str, str | None], ...]
    variants_json: str
    evaluator: FlagEvaluator = field(compare=False)
    _served: dict[str | None, FlagData] = field(default_factory=dict, compare=False, repr=False)

    def serve(self, context: Mapping[str, str]) -> FlagData:
        """The data served for an encoded context; one object per variant (reads allocate nothing)."""
        evaluation = self.evaluator.evaluate_encoded(context)
        data = self._served.get(evaluation.variant)
        if data is None:
            data = self._served[evaluation.variant] = data_of(evaluation)
        return data

    def rule_of(self, variant: str | None) -> str | None:
        """The rule text of ``variant`` (``None`` for the default variant or a name it does not have)."""
        return next((rule for name, rule in self.rules if name == variant), None)

    @classmethod
    def from_variants_json(cls, flag_key: str, variants: list[dict[str, Any]]) -> FlagTargeting:
        """From a ``_variants`` list (``name``, ``enabled``, ``rule``, ``attributeValues``); rules are parsed here."""
        return cls(rules=tuple((v["name"], v.get("rule")) for v in variants),
                   variants_json=json.dumps(variants, sort_keys=True, separators=(",", ":")),
                   evaluator=FlagEvaluator.from_json(flag_key, variants))


def data_of(evaluation: Evaluation) -> FlagData:
    """An evaluation as served flag data (arrays as tuples, like every snapshot)."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in evaluation.values.items()}
    return FlagData(enabled=evaluation.enabled, values=MappingProxyType(values), variant=evaluation.variant)
