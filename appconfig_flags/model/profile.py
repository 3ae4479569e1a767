"""A profile: a named set of flags, validated as AppConfig would, rendered per environment."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from . import rules
from .attributes import Attribute, value_from_json
from .bulk import paused_gc
from .dates import date_findings
from .document import dump_json, nesting_problem, parse_json
from .flag import Flag, FlagValue, ShortTerm, Variant
from .objects import profile_object_problems
from .problems import FlagValidationError, Problem, raise_if_any, safe_repr
from .schema import check_definitions, check_document, check_values, size_problem

if TYPE_CHECKING:  # The rule checker, evaluator and experiments load only for profiles that use them.
    from .experiments import Experiment
    from .targeting.context import ContextDeclaration
    from .targeting.evaluate import Evaluation, FlagEvaluator

#: S14 configuration profile ``Name``: 1 to 128 characters.
PROFILE_NAME_MAX = 128


#: Warnings that are errors in strict mode (flag objects): constraints no value can meet, patterns
#: whose matching time can explode (their values cannot be checked), and a value that mixes
#: ``_variants`` with ``enabled`` or attribute values (a document AWS's examples never show).
STRICT_ERRORS = frozenset({"minimum-above-maximum", "empty-enum", "pattern-backtracking", "variants-with-basic-value"})
#: Findings that depend on the day: warnings, or errors with ``overdue="error"``.
OVERDUE_RULES = frozenset({"end-date-past", "short-term-overdue"})

@dataclass(frozen=True, slots=True)
class Profile:
    """A feature-flag configuration profile's flags (``AWS.AppConfig.FeatureFlags``).

    Construction validates the default document and each overridden environment's document with
    AppConfig's rules (:mod:`.schema`) and the authoring checks of flag objects, and raises one
    :class:`FlagValidationError` listing every problem. Paths read ``Profile/flag/attribute`` for
    the default document and ``Profile@Env/flag/attribute`` for an environment's.

    ``application``: the AppConfig application the profile is deployed in (1 to 64 characters): the
    one place the constructs, the flags client and ``appconfig-flags`` take it from. Default: ``None``;
    then whatever needs it (a client reading from AppConfig, an AWS command, a construct) says it is missing.
    ``environments``: the application's environments, in promotion order (each deploys after the one
    before it); flags may override only these. Default: ``None``, any name, and no order.
    ``max_content_bytes``: the hosted configuration size quota. Default: 2,048 KB (S10).
    ``strict``: refuse values of attributes a flag does not declare, and constraints no value can
    meet (``minimum-above-maximum``, ``empty-enum``). Default: True; :meth:`from_document` passes
    False, as AppConfig's verdict on them is unknown ([?]), and they are then only :attr:`warnings`.
    ``context``: the request context's keys and types (``{"tier": str, "age": int, "signup": datetime}``);
    variant rules may then read only these keys, compared with constants of their type. Default:
    ``None``, no key checks. Every variant rule is parsed and checked either way (``docs/targeting.md``).
    ``today``: the day dates are compared with (short-term ``remove_by``, ``Attribute.date(end=True)``
    values). Default: ``None``, the day of the synth (``date.today()``), read only when a flag has such a date.
    ``overdue``: ``"warning"`` (Default) or ``"error"``: what a date already past is.
    ``retired_environments``: environments removed from the application whose overrides flags may
    still hold; they are dropped from the flags with a ``retired-environment`` warning, not rendered.
    Default: none (an override of an undeclared environment is an ``unknown-environment`` error).
    ``experiments``: AppConfig experiments on flags of this profile (:mod:`.experiments`), validated
    with it: their flag and environment, audience rule (against ``context``), treatments (each value
    against the flag's attributes) and run. Default: none.
    """

    name: str
    flags: tuple[Flag, ...]
    _: KW_ONLY
    application: str | None = None
    environments: tuple[str, ...] | None = None
    max_content_bytes: int = rules.DEFAULT_MAX_CONTENT_BYTES
    strict: bool = True
    context: ContextDeclaration | None = None
    today: date | None = None
    overdue: str = "warning"
    retired_environments: tuple[str, ...] = ()
    experiments: tuple[Experiment, ...] = ()
    #: Findings AppConfig may accept but that are probably slips, from every document checked.
    warnings: tuple[Problem, ...] = field(default=(), init=False, compare=False)
    #: The validated document text per environment (``None``: the default values).
    _texts: dict[str | None, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: Compiled variant rules per (environment, flag key), built by :meth:`evaluate` on first use.
    _evaluators: dict[tuple[str | None, str], FlagEvaluator] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("flags", "environments", "retired_environments", "experiments"):  # a list is taken as a tuple
            if type(value := getattr(self, name)) is list:
                object.__setattr__(self, name, tuple(value))
        # Types before use: nothing below reads a field that does not hold its declared type (objects.py).
        wrong = profile_object_problems(self)
        if wrong or not isinstance(self.name, str):  # the name starts every path
            raise FlagValidationError([*self._name_problems(), *wrong], subject=f"profile {safe_repr(self.name)}")
        retired = self._retire_environments()
        with paused_gc():
            problems, warnings = self._check()
            rule_problems, rule_warnings = self._rule_problems()
        problems += rule_problems
        warnings += rule_warnings + retired
        dated, overdue = self._date_findings()
        problems += dated
        (problems if self.overdue == "error" else warnings).extend(overdue)
        if self.strict:
            # Authored flags: a constraint no value can meet is a slip, whatever AppConfig may accept.
            problems += [w for w in warnings if w.rule in STRICT_ERRORS]
            warnings = [w for w in warnings if w.rule not in STRICT_ERRORS]
        object.__setattr__(self, "warnings", tuple(warnings))
        raise_if_any(problems, subject=f"profile {safe_repr(self.name)}")

    # -- rendering ------------------------------------------------------------------------------
    def document(self, environment: str | None = None) -> dict[str, Any]:
        """The document for ``environment`` as JSON data (``None``, or a name no flag overrides: the defaults)."""
        with paused_gc():
            flags = {f.key: f.definition_json() for f in self.flags if f.defined}
            values = {f.key: f.value_json(environment) for f in self.flags if f.has_value}
        return {"version": rules.DOCUMENT_VERSION, "flags": flags, "values": values}

    def render(self, environment: str | None = None) -> str:
        """The exact document text AppConfig receives for ``environment``: the text validated at construction.

        ``None``, or an environment no flag overrides, gets the default document.
        """
        text = self._texts.get(environment)
        return self._texts[None] if text is None else text

    def flag(self, key: str) -> Flag:
        """The flag named ``key``; ``KeyError`` naming the known keys otherwise."""
        for flag in self.flags:
            if flag.key == key:
                return flag
        raise KeyError(f"profile {self.name!r} has no flag {key!r}; it has {[f.key for f in self.flags]}")

    def experiment(self, name: str) -> Experiment:
        """The experiment named ``name``; ``KeyError`` naming the known names otherwise."""
        for experiment in self.experiments:
            if experiment.name == name:
                return experiment
        raise KeyError(f"profile {self.name!r} has no experiment {name!r}; it has {[e.name for e in self.experiments]}")

    def experiments_in(self, environment: str | None) -> tuple[Experiment, ...]:
        """The experiments that run in ``environment``, in declaration order."""
        return tuple(e for e in self.experiments if e.environment == environment)

    def promoted_after(self, environment: str) -> str | None:
        """The environment ``environment`` deploys after: the one before it in :attr:`environments` (``None``: the first).

        ``KeyError`` naming the environments when ``environment`` is not one of them.
        """
        environments = self.environments or ()
        if environment not in environments:
            raise KeyError(f"profile {self.name!r} has no environment {environment!r}; it has {list(environments)}")
        index = environments.index(environment)
        return environments[index - 1] if index else None

    def overridden_environments(self) -> tuple[str, ...]:
        """Every environment name some flag overrides, in first-seen order."""
        seen: dict[str, None] = {}
        for flag in self.flags:
            for environment in flag.environments:
                seen.setdefault(environment, None)
        return tuple(seen)

    def short_term_flags(self) -> tuple[Flag, ...]:
        """The flags marked for clean-up (``_deprecation``)."""
        return tuple(f for f in self.flags if f.short_term is not None)

    def evaluate(self, environment: str | None, flag: str | Flag, context: Mapping[str, object] | None = None) -> Evaluation:
        """What AppConfig Agent would answer for ``flag`` in ``environment`` (``None``: the default document).

        ``context`` is encoded as the Agent receives it (``ValueError`` for a value it cannot send).
        ``Evaluation.variant`` names the variant (``None`` for a basic flag), ``.answer`` is the
        Agent-shaped ``{"_variant": ..., "enabled": ..., values when enabled}``. ``split`` uses this
        project's hash, not AppConfig's (``docs/targeting.md``). ``KeyError`` for an unknown flag or environment.
        """
        key = flag if isinstance(flag, str) else flag.key
        evaluator = self._evaluators.get((environment, key))
        if evaluator is None:
            if environment is not None and self.environments is not None and environment not in self.environments:
                raise KeyError(f"profile {self.name!r} has no environment {environment!r}; it has {list(self.environments)}")
            from .targeting.evaluate import FlagEvaluator

            evaluator = FlagEvaluator.for_value(key, self.flag(key).value_in(environment))
            self._evaluators[(environment, key)] = evaluator
        return evaluator.evaluate(context)

    # -- validation -----------------------------------------------------------------------------
    def _rule_problems(self) -> tuple[list[Problem], list[Problem]]:
        """Every variant rule of every environment parsed and checked; the context declaration."""
        problems: list[Problem] = []
        warnings: list[Problem] = []
        context = self.context
        if context is not None:
            from .targeting.context import declaration_problems

            bad = declaration_problems(context)
            for key, message, value in bad:
                problems.append(Problem(f"{self.name}/context/{key}".rstrip("/"), "context-key", message, value))
            if isinstance(context, Mapping):
                context = {k: v for k, v in context.items() if not any(k == b[0] for b in bad)}
            else:
                context = None
        for flag in self.flags:
            if not isinstance(flag, Flag):
                continue
            holders = [(f"{self.name}/{flag.key}", flag.variants)]
            if isinstance(flag.environments, Mapping):
                holders += [(f"{self.name}@{env}/{flag.key}", value.variants) for env, value in flag.environments.items()
                            if isinstance(value, FlagValue)]
            for path, variants in holders:
                if isinstance(variants, (tuple, list)) and variants:
                    from .targeting.variants import check_variant_rules

                    more, more_warnings = check_variant_rules(
                        [v for v in variants if isinstance(v, Variant)], path=path, context=context)
                    problems += more
                    warnings += more_warnings
        if self.experiments != ():
            from .experiments import experiment_problems

            more, more_warnings = experiment_problems(
                self.experiments, profile=self.name, flags={f.key: f for f in self.flags if isinstance(f, Flag)},
                environments=self.environments, context=context, strict=self.strict)
            problems += more
            warnings += more_warnings
        return problems, warnings

    def _check(self) -> tuple[list[Problem], list[Problem]]:
        problems = list(self._authoring_problems())
        # Definitions are the same in every environment: checked and serialised once.
        flags = {f.key: f.definition_json() for f in self.flags if f.defined}
        known, more, warnings = check_definitions(flags, path=self.name)
        problems += more
        try:
            flags_text = dump_json(flags)
        except ValueError:  # NaN or Infinity: reported as a bad value; nothing to render.
            return problems, warnings
        seen: set[tuple[str, str, str]] = set()
        seen_warnings: set[tuple[str, str, str]] = set()
        defaults = {f.key: f.value_json() for f in self.flags if f.has_value}
        for environment in (None, *self.overridden_environments()):
            path = self.name if environment is None else f"{self.name}@{environment}"
            # Only the flags an environment overrides differ from the defaults: only they are checked again.
            changed = defaults if environment is None else {
                f.key: f.value_json(environment) for f in self.flags if f.has_value and environment in f.environments}
            more, more_warnings = check_values(changed, flags, known, path=path, partial=environment is not None)
            values = defaults if environment is None else {**defaults, **changed}
            try:
                text = f'{{"version":"{rules.DOCUMENT_VERSION}","flags":{flags_text},"values":{dump_json(values)}}}'
            except ValueError:
                text = None
            if text is not None:
                self._texts[environment] = text
                size = len(text) if text.isascii() else len(text.encode())
                if (too_big := size_problem(size, path=path, max_bytes=self.max_content_bytes)) is not None:
                    more.append(too_big)
            # An environment repeats the default's problems; report each once, at the default's path.
            problems += _unseen(more, seen, len(path))
            warnings += _unseen(more_warnings, seen_warnings, len(path))
        return problems, warnings

    def _name_problems(self) -> Iterator[Problem]:
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= PROFILE_NAME_MAX:
            yield Problem(safe_repr(self.name), "profile-name", f"a profile name has 1 to {PROFILE_NAME_MAX} characters",
                          self.name)

    def _where_problems(self) -> Iterator[Problem]:
        """The application's and environments' names: AppConfig's lengths, each environment once."""
        if self.application is not None and not 1 <= len(self.application) <= rules.APPLICATION_NAME_MAX:
            yield Problem(f"{self.name}/application", "application-name",
                          f"an application name has 1 to {rules.APPLICATION_NAME_MAX} characters", self.application)
        seen: set[str] = set()
        for environment in self.environments or ():
            if not 1 <= len(environment) <= rules.ENVIRONMENT_NAME_MAX:
                yield Problem(f"{self.name}/environments", "environment-name",
                              f"an environment name has 1 to {rules.ENVIRONMENT_NAME_MAX} characters", environment)
            if environment in seen:
                yield Problem(f"{self.name}/environments", "duplicate-environment",
                              "each environment is named once (the order is the promotion order)", environment)
            seen.add(environment)

    def _retire_environments(self) -> list[Problem]:
        """Drop the overrides of retired environments from the flags; a warning per environment naming them."""
        retired = set(self.retired_environments)
        if not retired:
            return []
        holding: dict[str, list[str]] = {}
        flags = []
        for flag in self.flags:
            if retired.isdisjoint(flag.environments):
                flags.append(flag)
                continue
            for environment in flag.environments:
                if environment in retired:
                    holding.setdefault(environment, []).append(flag.key)
            flags.append(replace(flag, environments={e: v for e, v in flag.environments.items() if e not in retired}))
        object.__setattr__(self, "flags", tuple(flags))
        return [Problem(f"{self.name}@{environment}", "retired-environment",
                        f"flags {keys} still hold values for this retired environment; they are not rendered "
                        "(remove them)", environment) for environment, keys in holding.items()]

    def _date_findings(self) -> tuple[list[Problem], list[Problem]]:
        """``value-date`` problems, and the findings of dates already past (see ``overdue``)."""
        today = self.today
        if today is None and any(f.short_term is not None or any(a.end_date for a in f.attributes) for f in self.flags):
            today = date.today()  # the synth's day; tests pass today=
        problems: list[Problem] = []
        overdue: list[Problem] = []
        for finding in date_findings(self.flags, profile=self.name, today=today):
            (overdue if finding.rule in OVERDUE_RULES else problems).append(finding)
        return problems, overdue

    def _authoring_problems(self) -> Iterator[Problem]:
        """Slips only flag objects can make: repeated keys, undeclared attributes, unknown environments."""
        yield from self._name_problems()
        yield from self._where_problems()
        seen: set[str] = set()
        known = set(self.environments) if self.environments is not None else None
        for flag in self.flags:
            path = f"{self.name}/{flag.key}"
            if flag.key in seen:
                yield Problem(path, "duplicate-key", "two flags share this key", flag.key)
            seen.add(flag.key)
            yield from _flag_object_problems(flag, self.name)
            declared = {a.key for a in flag.attributes if isinstance(a, Attribute)}
            for environment, value in (None, flag), *flag.environments.items():
                where = path if environment is None else f"{self.name}@{environment}/{flag.key}"
                if environment is not None and known is not None and environment not in known:
                    yield Problem(where, "unknown-environment", f"the environments are {sorted(known)}", environment)
                if not self.strict or not flag.defined or not isinstance(value, (Flag, FlagValue)):
                    continue
                value_sets = [value.values] + [v.values for v in (value.variants or ()) if isinstance(v, Variant)]
                for values in value_sets:
                    for key in values:
                        if key not in declared:
                            yield Problem(f"{where}/{key}", "undeclared-attribute",
                                          f"the flag declares only {sorted(declared)}", key)

    # -- reading existing documents -------------------------------------------------------------
    @classmethod
    def from_document(cls, name: str, document: str | bytes | dict[str, Any], **options: Any) -> Profile:
        """Flag objects from an existing document (e.g. exported from the console).

        ``Profile.from_document(n, text).document()`` is the same JSON data, normalised in two
        ways that do not change its meaning: ``flags`` and ``values`` are always written, and empty
        ``attributes`` / ``attributeValues`` objects are left out. ``options`` go to the
        constructor (``strict`` defaults to False here). Raises :class:`FlagValidationError` with
        every problem of the document.
        """
        if not isinstance(name, str):  # the name starts every path
            raise FlagValidationError([Problem(safe_repr(name), "profile-name", "a profile name is a string", name)],
                                      subject=f"document {safe_repr(name)}")
        data = parse_json(document, subject=name) if isinstance(document, (str, bytes)) else document
        if (too_deep := nesting_problem(data, subject=name)) is not None:  # before anything recurses into it
            raise FlagValidationError([too_deep], subject=f"document {safe_repr(name)}")
        problems, _ = check_document(data, path=name)
        raise_if_any(problems, subject=f"document {safe_repr(name)}")
        definitions: dict[str, Any] = data.get("flags", {})
        values: dict[str, Any] = data.get("values", {})
        flags = [_flag_from_json(key, definitions.get(key), values.get(key)) for key in _keys(definitions, values)]
        options.setdefault("strict", False)
        return cls(name, tuple(flags), **options)


def _unseen(found: list[Problem], seen: set[tuple[str, str, str]], prefix: int) -> list[Problem]:
    """The problems whose place in the document (path without its ``prefix`` chars), rule and value are new."""
    out = []
    for problem in found:
        where = (problem.path[prefix:], problem.rule, repr(problem.value))
        if where not in seen:
            seen.add(where)
            out.append(problem)
    return out


def _flag_object_problems(flag: Flag, profile: str) -> Iterator[Problem]:
    """Two attributes of one flag with the same key (types are checked already: objects.py)."""
    path = f"{profile}/{flag.key}"
    declared: set[str] = set()
    for attribute in flag.attributes:
        if attribute.key in declared:
            yield Problem(f"{path}/{attribute.key}", "duplicate-key", "two attributes share this key", attribute.key)
        declared.add(attribute.key)


def _keys(definitions: dict[str, Any], values: dict[str, Any]) -> Iterable[str]:
    yield from definitions
    yield from (k for k in values if k not in definitions)


_METADATA = ("_createdAt", "_updatedAt")
_VALUE_META = ("enabled", "_variants", *_METADATA)


def _flag_from_json(key: str, definition: dict[str, Any] | None, value: dict[str, Any] | None) -> Flag:
    d = definition or {}
    v = value or {}
    deprecation = d.get("_deprecation")
    variants = v.get("_variants")
    return Flag(
        key=key,
        name=d.get("name"),
        description=d.get("description"),
        attributes=tuple(Attribute.from_json(k, a) for k, a in d.get("attributes", {}).items()),
        short_term=ShortTerm(remove_by=deprecation.get("date"), status=deprecation.get("status")) if deprecation is not None else None,
        enabled=v.get("enabled"),
        values={k: value_from_json(x) for k, x in v.items() if k not in _VALUE_META},
        variants=tuple(Variant.from_json(x) for x in variants) if variants is not None else None,
        metadata={k: d[k] for k in _METADATA if k in d},
        value_metadata={k: v[k] for k in _METADATA if k in v},
        defined=definition is not None,
        has_value=value is not None,
    )


def check_document_text(text: str | bytes, *, name: str, max_content_bytes: int = rules.DEFAULT_MAX_CONTENT_BYTES) -> list[Problem]:
    """Every problem AppConfig would report for a document's text (empty when it would accept it)."""
    try:
        data = parse_json(text, subject=name)
    except FlagValidationError as exc:
        return list(exc.problems)
    problems, _ = check_document(data, path=name)
    raw = text.encode() if isinstance(text, str) else text
    if (too_big := size_problem(raw, path=name, max_bytes=max_content_bytes)) is not None:
        problems.append(too_big)
    return problems
