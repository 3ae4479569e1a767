"""A profile: a named set of flags, validated as AppConfig would, rendered per environment."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from . import rules
from .attributes import Attribute
from .document import dump_json, parse_json
from .flag import Flag, ShortTerm, Variant
from .attributes import value_from_json
from .problems import FlagValidationError, Problem, raise_if_any
from .schema import check_document, size_problem

#: S12.2 configuration profile ``Name``: 1 to 128 characters.
PROFILE_NAME_MAX = 128


@dataclass(frozen=True, slots=True)
class Profile:
    """A feature-flag configuration profile's flags (``AWS.AppConfig.FeatureFlags``).

    Construction validates the default document and each environment's document with AppConfig's
    rules and raises one :class:`FlagValidationError` listing every problem. ``environments``,
    when given, is the set of environment names flags may override (Default: any name).
    ``max_content_bytes`` is the hosted configuration size quota (Default: 2 MB, S10).
    """

    name: str
    flags: tuple[Flag, ...]
    environments: tuple[str, ...] | None = None
    max_content_bytes: int = rules.DEFAULT_MAX_CONTENT_BYTES
    #: Problems AppConfig accepts but that are probably slips, per environment document.
    warnings: tuple[Problem, ...] = field(default=(), init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", tuple(self.flags))
        problems, warnings = self._check()
        object.__setattr__(self, "warnings", tuple(warnings))
        raise_if_any(problems, subject=f"profile {self.name!r}")

    # -- rendering ------------------------------------------------------------------------------
    def document(self, environment: str | None = None) -> dict[str, Any]:
        """The document for ``environment`` as JSON data (``None``: the default values)."""
        flags = {f.key: f.definition_json() for f in self.flags if f.defined}
        values = {f.key: f.value_json(environment) for f in self.flags if f.has_value}
        return {"version": rules.DOCUMENT_VERSION, "flags": flags, "values": values}

    def render(self, environment: str | None = None) -> str:
        """The exact document text AppConfig receives for ``environment``."""
        return dump_json(self.document(environment))

    def flag(self, key: str) -> Flag:
        """The flag named ``key``; ``KeyError`` naming the known keys otherwise."""
        for flag in self.flags:
            if flag.key == key:
                return flag
        raise KeyError(f"profile {self.name!r} has no flag {key!r}; it has {[f.key for f in self.flags]}")

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

    # -- validation -----------------------------------------------------------------------------
    def _check(self) -> tuple[list[Problem], list[Problem]]:
        problems = self._authoring_problems()
        if problems:
            return problems, []
        problems, warnings = self._document_problems(None)
        seen = {(p.path.partition("/")[2], p.rule) for p in problems}
        for environment in self.overridden_environments():
            more, more_warnings = self._document_problems(environment)
            problems += [p for p in more if (p.path.partition("/")[2], p.rule) not in seen]
            warnings += more_warnings
        return problems, warnings

    def _document_problems(self, environment: str | None) -> tuple[list[Problem], list[Problem]]:
        path = self.name if environment is None else f"{self.name}@{environment}"
        data = self.document(environment)
        problems, warnings = check_document(data, path=path)
        if (too_big := size_problem(dump_json(data).encode(), path=path, max_bytes=self.max_content_bytes)) is not None:
            problems.append(too_big)
        return problems, warnings

    def _authoring_problems(self) -> list[Problem]:
        """Slips only flag objects can make: repeated keys, values of undeclared attributes, unknown environments."""
        problems: list[Problem] = []
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= PROFILE_NAME_MAX:
            problems.append(Problem(str(self.name), "profile-name", f"a profile name has 1 to {PROFILE_NAME_MAX} characters", self.name))
        seen: set[str] = set()
        known = set(self.environments) if self.environments is not None else None
        for flag in self.flags:
            if not isinstance(flag, Flag):
                problems.append(Problem(self.name, "flag-type", "a profile holds Flag objects", flag))
                continue
            path = f"{self.name}/{flag.key}"
            if flag.key in seen:
                problems.append(Problem(path, "duplicate-key", "two flags share this key", flag.key))
            seen.add(flag.key)
            declared: set[str] = set()
            for attribute in flag.attributes:
                if attribute.key in declared:
                    problems.append(Problem(f"{path}/{attribute.key}", "duplicate-key", "two attributes share this key", attribute.key))
                declared.add(attribute.key)
            if not flag.defined:
                continue
            for environment, override in [(None, flag), *flag.environments.items()]:
                where = path if environment is None else f"{self.name}@{environment}/{flag.key}"
                if environment is not None and known is not None and environment not in known:
                    problems.append(Problem(where, "unknown-environment", f"the environments are {sorted(known)}", environment))
                value_sets = [override.values] + [v.values for v in (override.variants or ())]
                for values in value_sets:
                    for key in values:
                        if key not in declared:
                            problems.append(Problem(f"{where}/{key}", "undeclared-attribute", f"the flag declares only {sorted(declared)}", key))
        return problems

    # -- reading existing documents -------------------------------------------------------------
    @classmethod
    def from_document(cls, name: str, document: str | bytes | dict[str, Any], **options: Any) -> Profile:
        """Flag objects from an existing document (e.g. exported from the console).

        ``Profile.from_document(n, text).render()`` gives back the same JSON data.
        """
        data = parse_json(document, subject=name) if isinstance(document, (str, bytes)) else document
        problems, _ = check_document(data, path=name)
        raise_if_any(problems, subject=f"document {name!r}")
        definitions: dict[str, Any] = data.get("flags", {})
        values: dict[str, Any] = data.get("values", {})
        flags = [_flag_from_json(key, definitions.get(key), values.get(key)) for key in _keys(definitions, values)]
        return cls(name, tuple(flags), **options)


def _keys(definitions: dict[str, Any], values: dict[str, Any]) -> Iterable[str]:
    yield from definitions
    yield from (k for k in values if k not in definitions)


_DEFINITION_META = ("_createdAt", "_updatedAt")


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
        values={k: value_from_json(x) for k, x in v.items() if k not in ("enabled", "_variants", *_DEFINITION_META)},
        variants=tuple(Variant.from_json(x) for x in variants) if variants is not None else None,
        metadata={k: d[k] for k in _DEFINITION_META if k in d},
        value_metadata={k: v[k] for k in _DEFINITION_META if k in v},
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
