"""Variants evaluated in this process: a snapshot's compiled flags, built from the catalogue or an Ion file.

A source that holds the variants themselves (the catalogue's ``_variants``, or an Agent
local-development Ion file) compiles each multi-variant flag once per snapshot into a
:class:`~appconfig_flags.model.FlagEvaluator`; a read with a context then picks the variant in
memory, with the Agent's documented semantics (``docs/targeting.md``). The no-context answer (what
a read without context gets) is the evaluation of the empty context, ``_variant`` included, as the
Agent answers a request without a ``Context`` header.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from appconfig_flags.model import Evaluation, FlagEvaluator, FlagValidationError, Profile
from appconfig_flags.model.attributes import value_to_json
from appconfig_flags.model.targeting import encode_context

from .errors import ErrorKind, SourceError
from .snapshot import FlagData, Snapshot

if TYPE_CHECKING:
    from .experiments import SimulatedExperiment
    from .ion import IonFlag

#: ``Entity-Id`` (Policy): 1 to 2048 bytes of visible ASCII without ``,``.
_ENTITY_ID = re.compile(r"[!-+\--~]{1,2048}")


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


def _snapshot(basic: Mapping[str, dict[str, Any]], targeting: Mapping[str, FlagTargeting],
              version_label: str | None, experiments: Sequence[Mapping[str, Any]] = ()) -> Snapshot:
    snapshot = Snapshot.from_retrieval_form(dict(basic), version_label=version_label)
    flags = dict(snapshot.flags)
    for key, entry in targeting.items():
        flags[key] = data_of(entry.evaluator.evaluate_encoded({}))
    simulated: dict[str, SimulatedExperiment] = {}
    if experiments:
        from .experiments import SimulatedExperiment  # only for a catalogue that runs experiments

        for data in experiments:
            experiment = SimulatedExperiment.from_json(data)
            if experiment is not None:
                simulated.setdefault(experiment.flag_key, experiment)  # the first run of a flag wins
    return Snapshot(flags=MappingProxyType(flags), version_label=version_label,
                    targeting=MappingProxyType(dict(targeting)), experiments=MappingProxyType(simulated))


def snapshot_from_profile(profile: Profile, environment: str | None, *, version_label: str | None,
                          experiments: Sequence[Mapping[str, Any]] | None = None) -> Snapshot:
    """``profile`` in ``environment`` as served, multi-variant flags compiled for local evaluation.

    ``experiments``: the runs to simulate, as :meth:`~appconfig_flags.model.Experiment.to_json` data.
    Default: the profile's experiments in ``environment`` (:mod:`.experiments`: not AppConfig's bucketing).
    """
    basic: dict[str, dict[str, Any]] = {}
    targeting: dict[str, FlagTargeting] = {}
    for flag in profile.flags:
        if not flag.has_value:
            continue
        value = flag.value_in(environment)
        if value.variants:
            targeting[flag.key] = FlagTargeting.from_variants_json(flag.key, [v.to_json() for v in value.variants])
            continue
        enabled = bool(value.enabled)
        entry: dict[str, Any] = {"enabled": enabled}
        if enabled:
            entry.update({k: value_to_json(v) for k, v in value.values.items()})
        basic[flag.key] = entry
    if experiments is None:
        experiments = [e.to_json() for e in profile.experiments_in(environment)]
    return _snapshot(basic, targeting, version_label, experiments)


def ion_flags(profile: Profile, environment: str | None) -> list[IonFlag]:
    """``profile`` in ``environment`` as the Ion retrieval format's values (see :mod:`.ion`)."""
    from .ion import IonFlag  # only for Agent files: the Ion codec stays out of a service's start-up

    out = []
    for flag in profile.flags:
        if not flag.has_value:
            continue
        value = flag.value_in(environment)
        if not value.variants:
            enabled = bool(value.enabled)
            answer: dict[str, Any] = {"enabled": enabled}
            if enabled:
                answer.update({k: value_to_json(v) for k, v in value.values.items()})
            out.append(IonFlag(flag.key, answer))
            continue
        answers = []
        for variant in value.variants:
            answer = {"_variant": variant.name, "enabled": variant.enabled}
            if variant.enabled:
                answer.update({k: value_to_json(v) for k, v in variant.values.items()})
            answers.append((variant.rule_text, answer))
        ruled = tuple((rule, answer) for rule, answer in answers[:-1] if rule)
        out.append(IonFlag(flag.key, answers[-1][1], ruled))
    return out


def snapshot_from_ion(text: str, *, version_label: str | None) -> Snapshot:
    """A snapshot of Ion retrieval-format text (an Agent local-development file), variants compiled.

    Raises :class:`SourceError` (``InvalidIon``, ``InvalidContent``, ``InvalidRule``) naming the problem.
    """
    from .ion import read_ion

    try:
        flags = read_ion(text)
    except ValueError as exc:
        raise SourceError("InvalidIon", str(exc), kind=ErrorKind.CONTENT, version_label=version_label) from None
    basic: dict[str, dict[str, Any]] = {}
    targeting: dict[str, FlagTargeting] = {}
    for flag in flags:
        if not flag.multi_variant:
            basic[flag.key] = dict(flag.answer)
            continue
        variants = [_variant_json(flag.key, answer, rule, version_label) for rule, answer in flag.variants]
        variants.append(_variant_json(flag.key, flag.answer, None, version_label))
        try:
            targeting[flag.key] = FlagTargeting.from_variants_json(flag.key, variants)
        except FlagValidationError as exc:
            raise SourceError("InvalidRule", f"{flag.key}: {' '.join(str(exc).split())}", kind=ErrorKind.CONTENT,
                              version_label=version_label) from None
    return _snapshot(basic, targeting, version_label)


def _variant_json(key: str, answer: Mapping[str, Any], rule: str | None, label: str | None) -> dict[str, Any]:
    name, enabled = answer.get("_variant"), answer.get("enabled")
    if not isinstance(name, str) or not isinstance(enabled, bool):
        raise SourceError("InvalidContent", f"{key}: each variant's JSON has a string _variant and a boolean enabled "
                          f"(got {dict(answer)!r})", kind=ErrorKind.CONTENT, version_label=label)
    out: dict[str, Any] = {"name": name, "enabled": enabled,
                           "attributeValues": {k: v for k, v in answer.items() if k not in ("_variant", "enabled")}}
    if rule is not None:
        out["rule"] = rule
    return out


# -- the request's context ------------------------------------------------------------------------
def request_context(context: Mapping[str, object] | None) -> dict[str, str]:
    """``context`` as the Agent receives it (key → text); a ``None`` value means the key is absent.

    ``ValueError`` (from :func:`~appconfig_flags.model.targeting.encode_context`) for a key or value
    that cannot be sent in the ``Context`` header.
    """
    if not context:
        return {}
    return encode_context({k: v for k, v in context.items() if v is not None})


def context_header_of(encoded: Mapping[str, str]) -> str:
    """The ``Context`` header value for encoded pairs: one header, pairs joined by ``,``."""
    return ",".join(f"{key}={text}" for key, text in encoded.items())


def check_entity_id(entity_id: str) -> str:
    """``entity_id`` if the Agent can receive it as ``Entity-Id``; ``ValueError`` naming the rule otherwise."""
    if isinstance(entity_id, str) and _ENTITY_ID.fullmatch(entity_id):
        return entity_id
    raise ValueError(f"entity_id {entity_id!r}: an Entity-Id is 1 to 2048 characters of visible ASCII without ',' "
                     "(hash personal data first: the Agent may log it)")

