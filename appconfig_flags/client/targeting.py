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
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from appconfig_flags.model import FlagValidationError, Profile
from appconfig_flags.model.attributes import value_to_json
from appconfig_flags.model.targeting import encode_context

from .errors import ErrorKind, SourceError, UnsupportedContentError
from .flag_data import JSON_CONTENT_TYPES, media_type_of
from .flag_targeting import FlagTargeting, data_of
from .snapshot import Snapshot

if TYPE_CHECKING:
    from .experiments import SimulatedExperiment
    from .ion import IonFlag

#: ``Entity-Id`` (Policy): 1 to 2048 bytes of visible ASCII without ``,``.
_ENTITY_ID = re.compile(r"[!-+\--~]{1,2048}")

__all__ = ["FlagTargeting", "check_entity_id", "context_header_of", "data_of", "ion_flags", "parse_content",
           "request_context", "snapshot_from_ion", "snapshot_from_json", "snapshot_from_profile"]


def _snapshot(basic: Mapping[str, Any], targeting: Mapping[str, FlagTargeting], version_label: str | None,
              unreadable: Mapping[str, str] | None = None, experiments: Sequence[Mapping[str, Any]] = ()) -> Snapshot:
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
                    targeting=MappingProxyType(dict(targeting)), experiments=MappingProxyType(simulated),
                    unreadable=MappingProxyType({**snapshot.unreadable, **(unreadable or {})}))


def snapshot_from_json(data: Any, *, version_label: str | None) -> Snapshot:
    """A snapshot of served JSON: basic flags, and multi-variant flags as ``{"_variants": [...]}``.

    AppConfig's data plane documents multi-variant profiles in Ion, yet an implementation may serve
    the stored ``_variants`` in JSON; they are compiled here and evaluated with each read's context,
    as the local sources do. A flag that cannot be read (wrong shape, a rule that does not parse)
    goes to ``unreadable`` with the reason; only content that is not an object of flags raises.
    """
    if not isinstance(data, dict):
        raise SourceError("InvalidContent", f"the content is a JSON object of flags, not {type(data).__name__}",
                          kind=ErrorKind.CONTENT, version_label=version_label)
    basic: dict[str, Any] = {}
    targeting: dict[str, FlagTargeting] = {}
    unreadable: dict[str, str] = {}
    for key, entry in data.items():
        variants = entry.get("_variants") if isinstance(entry, dict) else None
        if variants is None:
            basic[key] = entry
            continue
        reason = _variants_problem(key, variants)
        if reason is None:
            try:
                targeting[key] = FlagTargeting.from_variants_json(key, variants)
                continue
            except FlagValidationError as exc:
                reason = f"{key}/_variants: {' '.join(str(exc).split())}"
        unreadable[key] = reason
    return _snapshot(basic, targeting, version_label, unreadable)


def _variants_problem(key: str, variants: Any) -> str | None:
    if not isinstance(variants, list) or not variants:
        return f"{key}/_variants: must be a non-empty list of variants (got {variants!r})"
    for index, variant in enumerate(variants):
        if not isinstance(variant, dict) or not isinstance(variant.get("name"), str) \
                or not isinstance(variant.get("enabled"), bool) \
                or not isinstance(variant.get("attributeValues", {}), dict) \
                or not isinstance(variant.get("rule", ""), str):
            return (f"{key}/_variants/{index}: a variant is an object with a string name, a boolean enabled, "
                    f"an optional rule string and attributeValues object (got {variant!r})")
    return None


def parse_content(body: bytes, *, content_type: str | None, version_label: str | None) -> Snapshot:
    """A snapshot of a non-empty JSON response body; other content types or bad JSON raise :class:`SourceError`."""
    if media_type_of(content_type) not in JSON_CONTENT_TYPES:
        raise UnsupportedContentError(content_type, version_label=version_label)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError("MalformedJSON", f"the content is not valid JSON: {exc}",
                          kind=ErrorKind.CONTENT, version_label=version_label) from None
    return snapshot_from_json(data, version_label=version_label)


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
            # The variants themselves: rule objects compile as they are, rule text hits the parse of the profile's checks.
            targeting[flag.key] = FlagTargeting.from_variants(flag.key, value.variants)
            continue
        enabled = bool(value.enabled)
        entry: dict[str, Any] = {"enabled": enabled}
        if enabled:
            entry.update({k: value_to_json(v) for k, v in value.values.items()})
        basic[flag.key] = entry
    if experiments is None:
        experiments = [e.to_json() for e in profile.experiments_in(environment)]
    return _snapshot(basic, targeting, version_label, experiments=experiments)


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

    Raises :class:`SourceError` (``InvalidIon``, ``InvalidContent``) naming the problem; a flag whose rule
    the model refuses (it does not parse, or its ``matches`` pattern could hang a read) goes to ``unreadable``.
    """
    from .ion import read_ion

    try:
        flags = read_ion(text)
    except ValueError as exc:
        raise SourceError("InvalidIon", str(exc), kind=ErrorKind.CONTENT, version_label=version_label) from None
    basic: dict[str, dict[str, Any]] = {}
    targeting: dict[str, FlagTargeting] = {}
    unreadable: dict[str, str] = {}
    for flag in flags:
        if not flag.multi_variant:
            basic[flag.key] = dict(flag.answer)
            continue
        variants = [_variant_json(flag.key, answer, rule, version_label) for rule, answer in flag.variants]
        variants.append(_variant_json(flag.key, flag.answer, None, version_label))
        try:
            targeting[flag.key] = FlagTargeting.from_variants_json(flag.key, variants)
        except FlagValidationError as exc:
            # One bad rule (one that does not parse, or a pattern that could hang a read) makes that flag unreadable only.
            unreadable[flag.key] = f"{flag.key}: InvalidRule: {' '.join(str(exc).split())}"
    return _snapshot(basic, targeting, version_label, unreadable)


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

