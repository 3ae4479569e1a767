"""The flags a client knows: declared defaults and attribute types, used to check and read snapshots."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar, overload

from appconfig_flags.model import Attribute, AttributeType, AttributeValue, Flag, Problem, Profile, check_document

from .errors import UndeclaredAttributeError
from .snapshot import FlagData, Snapshot

_V = TypeVar("_V")


def treatment_of(variant: str) -> str | None:
    """The experiment treatment key an Agent's ``_variant`` names (``__t1__`` → ``t1``), else ``None``."""
    if len(variant) > 4 and variant.startswith("__") and variant.endswith("__"):
        from .experiments import treatment_of as parse  # only for answers of experiment flags

        return parse(variant)
    return None


class Resolution(str, Enum):
    """Where a :class:`FlagState` came from."""

    SERVED = "served"
    NOT_LOADED = "not-loaded"  # nothing loaded yet: declared default
    NOT_FOUND = "not-found"  # the loaded configuration lacks the flag: declared default
    TYPE_MISMATCH = "type-mismatch"  # a served value has the wrong type: declared default
    INVALID_CONTEXT = "invalid-context"  # the context (or Entity-Id) cannot be sent to the Agent: declared default
    NOT_TARGETED = "not-targeted"  # the Agent did not answer for this context: the flag without context (last good)


class Served(str, Enum):
    """Why a flag's data was served: what OpenFeature calls the reason (``STATIC``, ``DEFAULT``...)."""

    STATIC = "static"  # a basic flag, or variants without rules: no context changes it
    DEFAULT = "default"  # no rule matched: the default variant (the last)
    RULE = "rule"  # a variant's rule matched the context
    TREATMENT = "treatment"  # an experiment's treatment (or control) for the entity


@dataclass(frozen=True, slots=True)
class FlagRules:
    """What the catalogue says of a multi-variant flag's rules: the context keys they read, the default variant.

    ``static``: no variant has a rule. For a flag the catalogue does not define, the client knows none of it.
    """

    keys: tuple[str, ...]
    default_variant: str | None
    static: bool
    #: Whether the catalogue gives the flag variants at all (``False``: a basic flag; an Agent's answer with a
    #: ``_variant`` then comes from rules deployed outside the catalogue, which the client does not know).
    multi_variant: bool = True


@dataclass(frozen=True, slots=True)
class FlagState:
    """One flag as the application sees it: ``enabled`` and every attribute value.

    ``values`` holds the served attribute values over the flag's declared defaults; an attribute
    with neither is absent. ``resolution`` says whether the values were served or defaulted.
    ``variant`` names the variant served (``None`` for a basic flag or a declared default);
    ``treatment`` the experiment treatment served (``variant`` ``__t1__`` is treatment ``t1``, ``__c__``
    the control ``c``; ``None`` outside an experiment); ``error`` says why the context was not used
    (``invalid-context``, ``not-targeted``).
    """

    flag: Flag
    enabled: bool
    values: Mapping[str, AttributeValue]
    resolution: Resolution
    version_label: str | None = None
    variant: str | None = None
    error: str | None = None
    treatment: str | None = None

    @overload
    def value(self, attribute: Attribute[_V, Any]) -> _V | None: ...
    @overload
    def value(self, attribute: str) -> AttributeValue | None: ...
    def value(self, attribute: Attribute[Any, str] | str) -> Any:
        """The value of ``attribute`` (an attribute object, typed, or its key), or ``None`` when it has neither a
        served nor a declared value. :class:`UndeclaredAttributeError` for an attribute object the flag does not declare.
        """
        return self.values.get(declared_key(self.flag, attribute))

    def __repr__(self) -> str:
        return (f"FlagState({self.flag.key!r}, enabled={self.enabled}, values={dict(self.values)}, "
                f"resolution={self.resolution.value}, version_label={self.version_label!r}, variant={self.variant!r}"
                + (f", treatment={self.treatment!r})" if self.treatment is not None else ")"))


def declared_key(flag: Flag, attribute: Attribute[Any, str] | str) -> str:
    """The key to read: ``attribute`` itself, or the key of an attribute object ``flag`` declares.

    :class:`UndeclaredAttributeError` when ``flag`` declares no attribute with that object's key.
    """
    if isinstance(attribute, str):
        return attribute
    key = attribute.key
    for declared in flag.attributes:
        if declared.key == key:
            return key
    raise UndeclaredAttributeError(flag.key, key, [a.key for a in flag.attributes])


def default_state(flag: Flag, resolution: Resolution, version_label: str | None = None,
                  error: str | None = None) -> FlagState:
    """``flag``'s declared default (its value outside any environment)."""
    value = flag.value_in(None)
    return FlagState(flag=flag, enabled=bool(value.enabled), values=MappingProxyType(dict(value.values)),
                     resolution=resolution, version_label=version_label, error=error)


def resolve(flag: Flag, snapshot: Snapshot | None) -> FlagState:
    """``flag`` as served by ``snapshot``; its declared default when absent or mistyped."""
    if snapshot is None:
        return default_state(flag, Resolution.NOT_LOADED)
    return state_of(flag, snapshot.flags.get(flag.key), snapshot.version_label)


def state_of(flag: Flag, data: FlagData | None, version_label: str | None) -> FlagState:
    """``flag`` as ``data`` serves it (one evaluation of a variant, or the snapshot's entry); checked like a snapshot."""
    if data is None:
        return default_state(flag, Resolution.NOT_FOUND, version_label)
    if not _fits(flag, data):
        return default_state(flag, Resolution.TYPE_MISMATCH, version_label)
    values = {**flag.value_in(None).values, **data.values}
    return FlagState(flag=flag, enabled=data.enabled, values=MappingProxyType(values),
                     resolution=Resolution.SERVED, version_label=version_label, variant=data.variant,
                     treatment=treatment_of(data.variant) if data.variant is not None else None)


class Catalogue:
    """The catalogue's flags by key (Default: none; then only the retrieval form's shape is checked)."""

    def __init__(self, flags: Profile | Iterable[Flag] = ()) -> None:
        items = flags.flags if isinstance(flags, Profile) else tuple(flags)
        self.flags: Mapping[str, Flag] = MappingProxyType({f.key: f for f in items})
        self._environments = frozenset(flags.environments or ()) if isinstance(flags, Profile) else frozenset()
        #: Each experiment's audience rule by flag key: an experiment read sends the keys it reads too.
        self._audiences: dict[str, list[Any]] = {}
        for experiment in flags.experiments if isinstance(flags, Profile) else ():
            flag_key = experiment.flag if isinstance(experiment.flag, str) else experiment.flag.key
            self._audiences.setdefault(flag_key, []).append(experiment.audience)
        self._rules: dict[tuple[str, str | None], FlagRules | None] = {}

    def rules_of(self, flag_key: str, environment: str | None) -> FlagRules | None:
        """The rules of ``flag_key`` in ``environment`` (compiled on first use, once); ``None`` for a flag not defined here.

        An environment the catalogue does not know (an Agent's environment id) gets the default value's
        default variant and every key any environment's rules read (sending a key no rule reads is harmless).
        """
        cache_key = (flag_key, environment)
        try:
            return self._rules[cache_key]
        except KeyError:
            pass
        flag = self.flags.get(flag_key)
        found = None if flag is None else _rules_of(flag, environment, environment in self._environments
                                                    or environment in flag.environments,
                                                    self._audiences.get(flag_key, ()))
        self._rules[cache_key] = found
        return found

    def problems(self, snapshot: Snapshot) -> list[Problem]:
        """What the catalogue's definitions refuse in ``snapshot``: the model's own AppConfig rules.

        Flags the catalogue does not define are checked for valid attribute values only.
        """
        document = {
            "version": "1",
            "flags": {key: flag.definition_json() for key, flag in self.flags.items()},
            "values": {key: _checked_form(data) for key, data in snapshot.flags.items()},
        }
        problems, _warnings = check_document(document, path=snapshot.version_label or "configuration")
        return problems

    def problems_by_flag(self, snapshot: Snapshot) -> tuple[dict[str, list[Problem]], list[Problem]]:
        """:meth:`problems` split into (each served flag's, the document's as a whole)."""
        prefix = (snapshot.version_label or "configuration") + "/"
        by_flag: dict[str, list[Problem]] = {}
        whole: list[Problem] = []
        for problem in self.problems(snapshot):
            # Flag keys hold no '/' (AppConfig's key pattern), so the path's next segment is the flag.
            key = problem.path[len(prefix):].split("/", 1)[0] if problem.path.startswith(prefix) else ""
            if key in snapshot.flags:
                by_flag.setdefault(key, []).append(problem)
            else:
                whole.append(problem)
        return by_flag, whole

    def resolve_all(self, snapshot: Snapshot | None) -> Mapping[str, FlagState]:
        """Every catalogue flag resolved against ``snapshot``, computed once per version."""
        return MappingProxyType({key: resolve(flag, snapshot) for key, flag in self.flags.items()})


def _checked_form(data: FlagData) -> dict[str, Any]:
    out = data.to_json()
    out.pop("_variant", None)
    return out


_PYTHON_TYPES: dict[AttributeType, Any] = {
    AttributeType.STRING: str,
    AttributeType.BOOLEAN: bool,
    AttributeType.NUMBER: (int, float),
    AttributeType.STRING_ARRAY: str,
    AttributeType.NUMBER_ARRAY: (int, float),
}


def _fits(flag: Flag, data: FlagData) -> bool:
    """Each served value has its declared attribute's type (bool is not a number)."""
    for attribute in flag.attributes:
        kind = attribute.type
        if kind is None or attribute.key not in data.values:
            continue
        value = data.values[attribute.key]
        is_array = kind in (AttributeType.STRING_ARRAY, AttributeType.NUMBER_ARRAY)
        if is_array != isinstance(value, tuple):
            return False
        items: tuple[Any, ...] = value if isinstance(value, tuple) else (value,)
        expected = _PYTHON_TYPES[kind]
        for item in items:
            if not isinstance(item, expected) or (kind is not AttributeType.BOOLEAN and isinstance(item, bool)):
                return False
    return True


def _rules_of(flag: Flag, environment: str | None, known: bool, audiences: Iterable[Any]) -> FlagRules:
    from appconfig_flags.model import FlagEvaluator  # only for reads of multi-variant flags through the Agent
    from appconfig_flags.model.targeting import context_keys, parse_rule

    values = [flag.value_in(environment)] if known else [flag.value_in(None), *flag.environments.values()]
    evaluators = [FlagEvaluator(flag.key, value.variants) for value in values if value.variants]
    keys: set[str] = set()
    for evaluator in evaluators:
        keys.update(evaluator.keys)
    for audience in audiences:
        keys |= context_keys(parse_rule(audience) if isinstance(audience, str) else audience)
    if not evaluators:
        return FlagRules(tuple(sorted(keys)), None, True, multi_variant=False)
    if known:
        (evaluator,) = evaluators
        return FlagRules(tuple(sorted(keys)), evaluator.default.variant, not evaluator.has_rules)
    # An environment the catalogue does not name: which default variant it serves is unknown.
    return FlagRules(tuple(sorted(keys)), None, all(not e.has_rules for e in evaluators))
