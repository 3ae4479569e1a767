"""The local evaluator: which variant a context gets, answered as AppConfig Agent answers.

Semantics ("Understanding multi-variant feature flag rules", "Retrieving basic and multi-variant
feature flags" in the AppConfig user guide), and the Policy where AWS is silent:

* variants are tried in order; the first whose rule holds wins; the default (last, no rule) otherwise;
* only the keys the flag's rules read are looked at (:attr:`FlagEvaluator.keys`): a value no rule
  reads (a list, a mapping) changes nothing; :meth:`FlagEvaluator.evaluate` encodes the keys read as
  the Agent receives them (:func:`~.context.encode_for_header`), so rules see exactly that text, and
  :meth:`FlagEvaluator.evaluate_local` as a source evaluating in process does (any string, no header:
  :func:`~.context.encode_local`); the constant's type decides how that text is read: a number
  (``"100" > 65``, exactly, ``"1.10" < 1.8``), ``true``/``false``, a timestamp (an instant; no
  offset is UTC), or the text itself;
* a missing key makes its test false, ``split`` included; ``not`` is plain negation, so
  ``(not (eq $missing 1))`` holds (Policy); text that does not read as the constant's type makes
  the test false;
* ``matches`` is a search with Python's ``re``; string tests are case-sensitive;
* ``split`` is this project's hash, not AppConfig's (:mod:`.split`): the Agent may bucket a user
  differently;
* the answer is ``{"_variant": name, "enabled": bool}`` plus the variant's attribute values only
  when it is enabled.

Rules are compiled once into closures over the encoded context, so a read costs a few
microseconds (``python -m bench targeting``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from ..attributes import value_to_json
from .context import encode_for_header, encode_local
from .rule import Test, compile_rule, context_keys, parse_rule

# compile_rule and Test moved to .rule (Rule.evaluate runs them); exported here too.
__all__ = ["Evaluation", "FlagEvaluator", "Test", "compile_rule", "evaluate_variants"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The variant a context gets: its name (``None`` for a basic flag), status, and values.

    ``values`` are the attribute values (JSON data) served, empty unless ``enabled``.
    """

    variant: str | None
    enabled: bool
    values: Mapping[str, Any]

    @property
    def answer(self) -> dict[str, Any]:
        """The flag as AppConfig Agent returns it: ``{"_variant": name, "enabled": bool, ...values}``."""
        out: dict[str, Any] = {} if self.variant is None else {"_variant": self.variant}
        out["enabled"] = self.enabled
        for key, value in self.values.items():
            out[key] = list(value) if type(value) is list else value  # The caller may change its copy.
        return out


class FlagEvaluator:
    """A multi-variant flag's variants, compiled once; :meth:`evaluate` picks the variant for a context.

    Build from ``Variant`` objects (``FlagEvaluator(flag_key, variants)``, rules as objects or
    text) or from a document's ``_variants`` JSON (:meth:`from_json`). Rules are parsed here:
    a bad one raises :class:`~appconfig_flags.model.FlagValidationError`.
    """

    __slots__ = ("_default", "_tests", "flag_key", "keys")

    def __init__(self, flag_key: str, variants: Sequence[Any]) -> None:
        if not variants:
            raise ValueError(f"flag {flag_key!r} has no variants")
        self.flag_key = flag_key
        outcomes = [_outcome(v.name, v.enabled, v.values) for v in variants]
        tests: list[tuple[Test, Evaluation]] = []
        keys: set[str] = set()
        for variant, outcome in zip(variants[:-1], outcomes):
            rule = variant.rule
            if rule is None or rule == "":
                continue  # A default before the last is refused by the model; here it never matches.
            parsed = parse_rule(rule) if isinstance(rule, str) else rule
            keys |= context_keys(parsed)
            tests.append((compile_rule(parsed, flag_key), outcome))
        self._tests = tuple(tests)
        self._default = outcomes[-1]
        #: The context keys the rules read, sorted: nothing else of a context changes the answer.
        self.keys: tuple[str, ...] = tuple(sorted(keys))

    @classmethod
    def from_json(cls, flag_key: str, variants: Sequence[Mapping[str, Any]]) -> FlagEvaluator:
        """From a document's ``_variants`` list (``name``, ``enabled``, ``rule``, ``attributeValues``)."""
        return cls(flag_key, [_JsonVariant(v["name"], v["enabled"], v.get("rule"), v.get("attributeValues", {}))
                              for v in variants])

    @classmethod
    def for_value(cls, flag_key: str, value: Any) -> FlagEvaluator:
        """For a flag's value in one environment (a ``FlagValue``): its variants, or its basic value.

        A basic flag always answers ``{"enabled": ..., values when enabled}``, without ``_variant``.
        """
        if value.variants:
            return cls(flag_key, value.variants)
        evaluator = cls.__new__(cls)
        evaluator.flag_key = flag_key
        evaluator._tests = ()
        evaluator.keys = ()
        evaluator._default = _outcome(None, bool(value.enabled), value.values)
        return evaluator

    @property
    def default(self) -> Evaluation:
        """What a context no rule matches gets: the default variant (the last)."""
        return self._default

    @property
    def has_rules(self) -> bool:
        """Whether some variant has a rule (``False``: every context gets the default)."""
        return bool(self._tests)

    def evaluate(self, context: Mapping[str, object] | None = None) -> Evaluation:
        """The variant ``context`` gets, as the Agent answers; ``ValueError`` when a value a rule reads cannot be
        sent in the ``Context`` header (values of keys no rule reads are not looked at)."""
        return self.evaluate_encoded(encode_for_header(context, self.keys) if context and self.keys else {})

    def evaluate_local(self, context: Mapping[str, object] | None = None) -> Evaluation:
        """The variant ``context`` gets when evaluated in this process: any string a rule reads is taken as is;
        ``ValueError`` only for a value a rule reads that no rule can compare (a list, a naive datetime...)."""
        return self.evaluate_encoded(encode_local(context, self.keys) if context and self.keys else {})

    def evaluate_encoded(self, context: Mapping[str, str]) -> Evaluation:
        """The variant for context text as the Agent receives it (key → text)."""
        for test, outcome in self._tests:
            if test(context):
                return outcome
        return self._default


class _JsonVariant(NamedTuple):  # a NamedTuple: a private record need not cost a dataclass's 0.4 ms at import
    name: str
    enabled: bool
    rule: str | None
    values: Mapping[str, Any]


def _outcome(name: str | None, enabled: bool, values: Mapping[str, Any]) -> Evaluation:
    served = {k: value_to_json(v) for k, v in values.items()} if enabled else {}
    return Evaluation(name, bool(enabled), MappingProxyType(served))


def evaluate_variants(flag_key: str, variants: Sequence[Any], context: Mapping[str, object] | None = None) -> Evaluation:
    """The variant ``context`` gets among ``variants`` (``Variant`` objects), compiled each call: prefer :class:`FlagEvaluator`."""
    return FlagEvaluator(flag_key, variants).evaluate(context)
