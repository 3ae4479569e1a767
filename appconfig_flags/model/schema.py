"""AppConfig's verdict on an ``AWS.AppConfig.FeatureFlags`` document, on its plain JSON data.

One rule set serves both ways in: documents loaded from JSON and documents rendered from flag
objects are checked here, so the two can never disagree. Rule ids and sources are in
:data:`rules.RULES`. Where AppConfig's behaviour is unknown ([?] in docs/flag-model.md) we accept, so that we
never refuse what AppConfig would take, and at most add a warning.

Paths leave out the ``flags``/``values`` level: ``Profile/flag-key/attribute-key``, and
``Profile/flag-key/_variants[0]/attribute-key`` inside a variant.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from . import rules
from .patterns import backtracking_risk
from .problems import NO_VALUE, Problem

_DOC_KEYS = frozenset({"version", "flags", "values"})
_DEFINITION_KEYS = frozenset({"name", "description", "attributes", "_deprecation", "_createdAt", "_updatedAt"})
_DEPRECATION_KEYS = frozenset({"status", "date"})
_ATTRIBUTE_KEYS = frozenset({"description", "constraints"})
_VALUE_META_KEYS = frozenset({"enabled", "_variants", "_createdAt", "_updatedAt"})
_VARIANT_KEYS = frozenset({"name", "enabled", "rule", "attributeValues"})
_METADATA = ("_createdAt", "_updatedAt")
_CONSTRAINT_KEYS = {
    "string": frozenset({"type", "required", "pattern", "enum"}),
    "number": frozenset({"type", "required", "minimum", "maximum"}),
    "boolean": frozenset({"type", "required"}),
    "array": frozenset({"type", "required", "elements"}),
}
_ATTRIBUTE_TYPES = ("string", "number", "boolean", "array")
_ELEMENT_TYPES = ("string", "number")
#: Python ``re`` errors that mean "syntax this engine lacks" (``\p{L}``, ``(?<name>…)``), not "broken".
_DIALECT_ERRORS = ("bad escape", "unknown extension", "unknown flag")
#: Marks an attribute whose definition is broken: its values are not checked (one report is enough).
_BROKEN: Any = object()
#: Flag key -> its attributes (key -> constraints; ``None`` when unconstrained; ``_BROKEN``), or
#: ``None`` when the flag has no usable definition.
Known = dict[str, "dict[str, Any] | None"]
_KEY_MATCH = rules.KEY_PATTERN.fullmatch
#: ``known.get`` default for an attribute the flag does not define.
_UNDEFINED: Any = object()
_STR = frozenset({str})
_NUMBERS = frozenset({int, float})


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str] | str:
    """The compiled constraint pattern, or the compiler's complaint as a string."""
    try:
        with warnings.catch_warnings():
            # "Possible nested set" and the like: about Python's future syntax, not AppConfig's; never an exception.
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(pattern)
    except re.error as exc:
        return str(exc)
    except RecursionError:  # a pattern of thousands of nested groups (a 1024-character pattern may have 500)
        return "too many nested groups"


@lru_cache(maxsize=4096)
def value_pattern(pattern: str) -> re.Pattern[str] | None:
    """The pattern values are matched with, or ``None`` when values are not matched against it.

    Not matched: a pattern Python cannot compile (reported as ``pattern`` or ``pattern-dialect``)
    and one whose matching time can explode (``pattern-backtracking``), so that no value hangs a synth.
    """
    compiled = compile_pattern(pattern)
    if isinstance(compiled, str) or backtracking_risk(pattern) is not None:
        return None
    return compiled


class _Checker:
    __slots__ = ("problems", "warnings")

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def bad(self, path: str, rule: str, message: str, value: Any = NO_VALUE) -> None:
        self.problems.append(Problem(path, rule, message, value))

    def warn(self, path: str, rule: str, message: str, value: Any = NO_VALUE) -> None:
        self.warnings.append(Problem(path, rule, message, value))

    def unknown_keys(self, obj: Mapping[str, Any], allowed: frozenset[str], path: str, what: str) -> None:
        """Report the keys of ``obj`` that are not ``allowed``; callers test ``allowed.issuperset(obj)`` first."""
        for key in obj:
            if key not in allowed:
                self.bad(f"{path}/{key}", "unknown-key", f"{what} may hold only {sorted(allowed)}", key)

    def key(self, key: Any, path: str, rule: str) -> bool:
        """S1 key pattern, for flag keys and attribute keys."""
        if isinstance(key, str) and _KEY_MATCH(key):
            return True
        self.bad(path, rule, rules.key_problem(key) or "not a key", key)
        return False

    def is_object(self, data: Any, path: str, what: str) -> bool:
        if isinstance(data, dict):
            return True
        self.not_object(data, path, what)
        return False

    def not_object(self, data: Any, path: str, what: str) -> None:
        self.bad(path, "json-type", f"{what} is a JSON object", data)

    # -- document -------------------------------------------------------------------------------
    def document(self, data: Any, path: str) -> None:
        if not self.is_object(data, path, "a feature-flag document"):
            return
        if not _DOC_KEYS.issuperset(data):
            self.unknown_keys(data, _DOC_KEYS, path, "the document")
        if "version" not in data:
            self.bad(path, "version", 'a document must have "version": "1"')
        elif data["version"] != rules.DOCUMENT_VERSION or not isinstance(data["version"], str):
            self.bad(f"{path}/version", "version", 'version must be the string "1"', data["version"])
        flags = data.get("flags", {})
        if not self.is_object(flags, f"{path}/flags", "flags"):
            flags = {}
        known = self.definitions(flags, path)
        values = data.get("values", {})
        if self.is_object(values, f"{path}/values", "values"):
            self.values(values, flags, known, path)

    def definitions(self, flags: Mapping[str, Any], path: str) -> Known:
        """Check ``flags``; each flag's usable attributes (see :data:`Known`)."""
        known: Known = {}
        for key, definition in flags.items():
            fpath = f"{path}/{key}"
            self.key(key, fpath, "flag-key")
            known[key] = self.definition(definition, fpath)
        return known

    def values(self, values: Mapping[str, Any], flags: Mapping[str, Any], known: Known, path: str,
               *, partial: bool = False) -> None:
        """Check ``values`` against the definitions ``flags`` (already checked into ``known``).

        ``partial``: ``values`` are some of the document's (an environment's overrides), so flags
        without a value are not reported.
        """
        for key, value in values.items():
            fpath = f"{path}/{key}"
            if key not in flags:
                self.key(key, fpath, "flag-key")
                self.warn(fpath, "value-without-definition", "values name a flag that flags does not define", key)
            self.value(value, known.get(key), fpath)
        if partial:
            return
        for key in flags:
            if key not in values:
                self.warn(f"{path}/{key}", "definition-without-value", "the flag has no entry in values", key)

    # -- definitions ----------------------------------------------------------------------------
    def definition(self, definition: Any, path: str) -> dict[str, Any] | None:
        """Check one flag definition; its usable attributes, or ``None`` when it is not an object."""
        if not self.is_object(definition, path, "a flag definition"):
            return None
        if not _DEFINITION_KEYS.issuperset(definition):
            self.unknown_keys(definition, _DEFINITION_KEYS, path, "a flag definition")
        if "name" in definition and (why := rules.name_problem(definition["name"])) is not None:
            self.bad(f"{path}/name", "name", why, definition["name"])
        if "description" in definition and (why := rules.text_problem(definition["description"])) is not None:
            self.bad(f"{path}/description", "description", why, definition["description"])
        self.metadata(definition, path)
        if "_deprecation" in definition:
            self.deprecation(definition["_deprecation"], f"{path}/_deprecation")
        attributes = definition.get("attributes", {})
        if not self.is_object(attributes, f"{path}/attributes", "attributes"):
            return None
        if len(attributes) > rules.ATTRIBUTES_MAX:
            self.bad(path, "attributes-max", f"a flag has at most {rules.ATTRIBUTES_MAX} attributes", len(attributes))
        known: dict[str, Any] = {}
        for key, attribute in attributes.items():
            apath = f"{path}/{key}"
            ok = self.key(key, apath, "attribute-key")
            if ok and key == rules.RESERVED_ATTRIBUTE:
                self.bad(apath, "attribute-key", "'enabled' is reserved and cannot name an attribute", key)
                ok = False
            constraints = self.attribute(attribute, apath)
            known[key] = constraints if ok else _BROKEN
        return known

    def metadata(self, obj: Mapping[str, Any], path: str) -> None:
        for meta in _METADATA:
            if meta in obj and not isinstance(obj[meta], str):
                self.bad(f"{path}/{meta}", "json-type", f"{meta} is a string", obj[meta])

    def deprecation(self, deprecation: Any, path: str) -> None:
        """S1 ``_deprecation``; the date is checked as ``format: date`` (YYYY-MM-DD, a real day) [I]."""
        if not self.is_object(deprecation, path, "_deprecation"):
            return
        if not _DEPRECATION_KEYS.issuperset(deprecation):
            self.unknown_keys(deprecation, _DEPRECATION_KEYS, path, "_deprecation")
        if "status" in deprecation and deprecation["status"] != rules.DEPRECATION_STATUS:
            self.bad(f"{path}/status", "deprecation", 'the only status is "planned"', deprecation["status"])
        if "date" in deprecation:
            when = deprecation["date"]
            if not isinstance(when, str) or not rules.DATE_PATTERN.fullmatch(when) or not _is_date(when):
                self.bad(f"{path}/date", "deprecation", "the date is a calendar date written YYYY-MM-DD", when)

    def attribute(self, attribute: Any, path: str) -> Any:
        """Check one attribute definition; its constraints, ``None`` (any value) or ``_BROKEN``."""
        if not isinstance(attribute, dict):
            self.not_object(attribute, path, "an attribute definition")
            return _BROKEN
        if not _ATTRIBUTE_KEYS.issuperset(attribute):
            self.unknown_keys(attribute, _ATTRIBUTE_KEYS, path, "an attribute definition")
        if "description" in attribute and (why := rules.text_problem(attribute["description"])) is not None:
            self.bad(f"{path}/description", "description", why, attribute["description"])
        if "constraints" not in attribute:
            return None
        constraints = attribute["constraints"]
        return constraints if self.constraints(constraints, path, element=False) else _BROKEN

    def constraints(self, c: Any, path: str, *, element: bool) -> bool:
        """Check one S1 constraints object; True when values can be checked against it."""
        if not isinstance(c, dict):
            self.not_object(c, path, "constraints")
            return False
        kind = c.get("type")
        allowed = _ELEMENT_TYPES if element else _ATTRIBUTE_TYPES
        if not isinstance(kind, str) or kind not in allowed:
            what = "array elements" if element else "an attribute"
            self.bad(path, "constraint-type", f"the type of {what} is one of {list(allowed)}", kind)
            return False
        before = len(self.problems)
        if not (allowed_keys := _CONSTRAINT_KEYS[kind]).issuperset(c):
            self.unknown_keys(c, allowed_keys, path, f"{kind} constraints")
        if "required" in c and not isinstance(c["required"], bool):
            self.bad(path, "json-type", "required is true or false", c["required"])
        if kind == "string":
            self.string_constraints(c, path)
        elif kind == "number":
            self.number_constraints(c, path)
        elif kind == "array" and "elements" in c:
            self.constraints(c["elements"], f"{path}[]", element=True)
        return len(self.problems) == before

    def string_constraints(self, c: Mapping[str, Any], path: str) -> None:
        if "pattern" in c and "enum" in c:
            self.bad(path, "pattern-and-enum", "a string has a pattern or an enum, not both", sorted(c))
        if "pattern" in c:
            pattern = c["pattern"]
            if (why := rules.text_problem(pattern, "a pattern")) is not None:
                self.bad(path, "pattern", why, pattern)
            elif isinstance(complaint := compile_pattern(pattern), str):
                if complaint.startswith(_DIALECT_ERRORS):
                    # The dialect is [?] (ECMA, Java...): syntax Python lacks may be fine there.
                    self.warn(path, "pattern-dialect", f"Python's re cannot compile it ({complaint})", pattern)
                else:
                    self.bad(path, "pattern", f"the regular expression does not compile: {complaint}", pattern)
            elif (risk := backtracking_risk(pattern)) is not None:
                # AppConfig's verdict is [?]; values are not matched against it (see patterns.py).
                self.warn(path, "pattern-backtracking", risk, pattern)
        if "enum" in c:
            self.enum(c["enum"], path)

    def number_constraints(self, c: Mapping[str, Any], path: str) -> None:
        for bound in ("minimum", "maximum"):
            if bound in c and not rules.is_integer(c[bound]):
                self.bad(path, "bound", f"{bound} must be an integer", c[bound])
        lo, hi = c.get("minimum"), c.get("maximum")
        if rules.is_integer(lo) and rules.is_integer(hi) and lo > hi:
            self.warn(path, "minimum-above-maximum", "no value fits: minimum exceeds maximum", (lo, hi))

    def enum(self, enum: Any, path: str) -> None:
        if not isinstance(enum, list):
            self.bad(path, "json-type", "an enum is a JSON array", enum)
            return
        if not enum:
            self.warn(path, "empty-enum", "no string value fits an empty enum", enum)
        if len(enum) > rules.ENUM_MAX:
            self.bad(path, "enum", f"an enum has at most {rules.ENUM_MAX} entries", len(enum))
        for member in enum:
            if isinstance(member, str):
                if len(member) > rules.TEXT_MAX:
                    self.bad(path, "enum", f"enum entries have at most {rules.TEXT_MAX} characters", member)
            elif not rules.is_integer(member):
                self.bad(path, "enum", "enum entries are strings or integers", member)

    # -- values ---------------------------------------------------------------------------------
    def value(self, value: Any, known: dict[str, Any] | None, path: str) -> None:
        """Check one flag value; ``known`` is its flag's attributes, ``None`` without a usable definition."""
        if not isinstance(value, dict):
            self.not_object(value, path, "a flag value")
            return
        if "enabled" in value and not isinstance(value["enabled"], bool):
            self.bad(f"{path}/enabled", "enabled", "enabled is true or false", value["enabled"])
        self.metadata(value, path)
        given = {k: v for k, v in value.items() if k not in _VALUE_META_KEYS}
        for key in given:
            if known is None or key not in known:  # A defined attribute's key is checked with its definition.
                self.key(key, f"{path}/{key}", "attribute-key")
        if len(given) > rules.ATTRIBUTES_MAX:
            self.bad(path, "attributes-max", f"a flag value holds at most {rules.ATTRIBUTES_MAX} attributes", len(given))
        if "_variants" in value:
            if given or "enabled" in value:
                self.warn(path, "variants-with-basic-value", "a multi-variant value holds only _variants, not enabled or "
                          "attribute values beside them (give each Variant its own)",
                          sorted(k for k in value if k not in _METADATA and k != "_variants"))
            self.attribute_values(given, known, path, enabled=False)
            self.variants(value["_variants"], known, f"{path}/_variants")
        else:
            if "enabled" not in value:
                self.warn(path, "enabled-missing", "every AWS example gives a basic flag enabled: true or false")
            self.attribute_values(given, known, path, enabled=value.get("enabled") is True)

    def variants(self, variants: Any, known: dict[str, Any] | None, path: str) -> None:
        if not isinstance(variants, list):
            self.bad(path, "json-type", "_variants is a JSON array", variants)
            return
        if not variants:
            self.warn(path, "empty-variants", "a multi-variant flag has at least its default variant", variants)
        if len(variants) > rules.VARIANTS_MAX:
            self.bad(path, "variants-max", f"a flag has at most {rules.VARIANTS_MAX} variants", len(variants))
        seen: set[str] = set()
        last = len(variants) - 1
        for index, variant in enumerate(variants):
            vpath = f"{path}[{index}]"
            if not self.is_object(variant, vpath, "a variant"):
                continue
            if not _VARIANT_KEYS.issuperset(variant):
                self.unknown_keys(variant, _VARIANT_KEYS, vpath, "a variant")
            self.variant_name(variant, vpath, seen)
            if "enabled" not in variant:
                self.bad(vpath, "enabled", "a variant must have enabled: true or false")
            elif not isinstance(variant["enabled"], bool):
                self.bad(f"{vpath}/enabled", "enabled", "enabled is true or false", variant["enabled"])
            self.variant_rule(variant, vpath, is_last=index == last)
            values = variant.get("attributeValues", {})
            if not self.is_object(values, f"{vpath}/attributeValues", "attributeValues"):
                continue
            if len(values) > rules.ATTRIBUTES_MAX:
                self.bad(vpath, "attributes-max", f"a variant holds at most {rules.ATTRIBUTES_MAX} attributes", len(values))
            for key in values:
                if known is None or key not in known:
                    self.key(key, f"{vpath}/{key}", "attribute-key")
            self.attribute_values(values, known, vpath, enabled=variant.get("enabled") is True)

    def variant_name(self, variant: Mapping[str, Any], path: str, seen: set[str]) -> None:
        if "name" not in variant:
            self.bad(path, "variant-name", "a variant must have a name")
            return
        name = variant["name"]
        if (why := rules.name_problem(name)) is not None:
            self.bad(f"{path}/name", "name", why, name)
        elif name in seen:
            self.bad(f"{path}/name", "variant-name", "variant names are unique within a flag", name)
        else:
            seen.add(name)

    def variant_rule(self, variant: Mapping[str, Any], path: str, *, is_last: bool) -> None:
        """S5: the default variant is last and has no rule. ``"rule": ""`` is [?]: a warning."""
        if "rule" not in variant:
            if not is_last:
                self.bad(path, "default-variant", "only the last variant (the default) may have no rule",
                         variant.get("name", NO_VALUE))
            return
        rule = variant["rule"]
        if not isinstance(rule, str) or len(rule) > rules.RULE_MAX:
            self.bad(f"{path}/rule", "variant-rule", f"a rule is a string of at most {rules.RULE_MAX} characters", rule)
        elif rule == "":
            self.warn(f"{path}/rule", "empty-rule", 'AppConfig may read "rule": "" as no rule or as a broken rule', rule)
        elif is_last:
            self.bad(f"{path}/rule", "default-variant", "the last variant is the default and cannot have a rule", rule)

    def attribute_values(self, given: Mapping[str, Any], known: dict[str, Any] | None, path: str, *, enabled: bool) -> None:
        for key, value in given.items():
            if not self.attribute_value(value, path, key):
                continue
            if known is None:
                continue
            constraints = known.get(key, _UNDEFINED)
            if constraints is None or constraints is _BROKEN:
                continue
            if constraints is _UNDEFINED:
                self.warn(f"{path}/{key}", "undefined-attribute", "the flag defines no attribute of this name", key)
            elif constraints["type"] == "array":
                self.array_fits(value, constraints, f"{path}/{key}")
            elif (misfit := _misfit(value, constraints)) is not None:
                self.bad(f"{path}/{key}", misfit[0], misfit[1], value)
        if enabled and known:
            for key, constraints in known.items():
                if (key not in given and constraints is not None and constraints is not _BROKEN
                        and constraints.get("required") is True):
                    # When "required" applies is [?]: we hold it only to enabled flags and variants.
                    self.bad(f"{path}/{key}", "required", "the attribute is required when the flag is enabled")

    def attribute_value(self, value: Any, path: str, key: str) -> bool:
        """S1 ``attributeValue``: a string (<= 1024), number, boolean, or all-string / all-number array."""
        kind = type(value)
        if kind is str:
            if len(value) <= rules.TEXT_MAX:
                return True
            self.bad(f"{path}/{key}", "attribute-value", f"a string value has at most {rules.TEXT_MAX} characters", value)
            return False
        if kind is bool or kind is int or (kind is float and math.isfinite(value)):
            return True
        if kind is list:
            kinds = {type(v) for v in value}
            if not kinds:
                # The literal S1 schema refuses [] (both array branches of a oneOf match); AppConfig's verdict is [?].
                self.warn(f"{path}/{key}", "empty-array", "the published schema refuses an empty array", value)
                return True
            if kinds == _STR:
                if max(map(len, value)) <= rules.TEXT_MAX:
                    return True
                self.bad(f"{path}/{key}", "attribute-value", f"array strings have at most {rules.TEXT_MAX} characters", value)
                return False
            if kinds <= _NUMBERS and (float not in kinds or all(map(math.isfinite, value))):
                return True
        self.bad(f"{path}/{key}", "attribute-value",
                 "a value is a string, number, boolean, or array of all strings or all numbers", value)
        return False

    def array_fits(self, value: Any, c: Mapping[str, Any], path: str) -> None:
        if not isinstance(value, list):
            self.bad(path, "value-type", "the attribute is an array", value)
            return
        elements = c.get("elements")
        if elements is not None:
            for index, item in enumerate(value):
                if (misfit := _misfit(item, elements)) is not None:
                    self.bad(f"{path}[{index}]", misfit[0], misfit[1], item)


def _misfit(value: Any, c: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why a scalar ``value`` does not meet string, number or boolean constraints ``c``: (rule, message), or None."""
    kind = c["type"]
    if kind == "string":
        if type(value) is not str:
            return "value-type", "the attribute is a string"
        pattern = c.get("pattern")
        if pattern is not None:
            compiled = value_pattern(pattern)
            # JSON Schema's pattern is a search, not a full match (anchoring is [?]: the looser reading).
            if compiled is not None and compiled.search(value) is None:
                return "value-pattern", f"the value does not match the pattern {pattern!r}"
        enum = c.get("enum")
        if enum is not None and value not in enum and value not in _integer_texts(enum):
            return "value-enum", f"the value is not one of {enum}"
        return None
    if kind == "number":
        if not rules.is_number(value):
            return "value-type", "the attribute is a number"
        low, high = c.get("minimum"), c.get("maximum")
        if low is not None and value < low:
            return "value-range", f"the value is below the minimum {low}"
        if high is not None and value > high:
            return "value-range", f"the value is above the maximum {high}"
        return None
    if type(value) is not bool:
        return "value-type", "the attribute is a boolean"
    return None


def _integer_texts(enum: list[Any]) -> set[str]:
    """How a string value may spell an integer enum entry ([?]: we accept ``"5"`` for ``5``)."""
    out: set[str] = set()
    for member in enum:
        if not isinstance(member, str):
            out.add(str(int(member)))
            out.add(str(member))
    return out


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_document(data: Any, *, path: str) -> tuple[list[Problem], list[Problem]]:
    """All problems (AppConfig would refuse) and warnings (it may take, but likely a slip) in ``data``.

    ``path`` prefixes every problem, e.g. ``CheckoutFlags@Beta``.
    """
    checker = _Checker()
    checker.document(data, path)
    return checker.problems, checker.warnings


def check_definitions(flags: Mapping[str, Any], *, path: str) -> tuple[Known, list[Problem], list[Problem]]:
    """Check a document's ``flags`` alone: what :func:`check_values` needs, problems, warnings.

    A profile checks its definitions once and then the values of each environment against them.
    """
    checker = _Checker()
    known = checker.definitions(flags, path)
    return known, checker.problems, checker.warnings


def check_values(
    values: Mapping[str, Any], flags: Mapping[str, Any], known: Known, *, path: str, partial: bool = False
) -> tuple[list[Problem], list[Problem]]:
    """Check a document's ``values`` against its ``flags``, as :func:`check_definitions` left them.

    ``partial``: ``values`` holds only some flags (those an environment overrides). Default: False.
    """
    checker = _Checker()
    checker.values(values, flags, known, path, partial=partial)
    return checker.problems, checker.warnings


def size_problem(content: bytes | int, *, path: str, max_bytes: int) -> Problem | None:
    """S10: a hosted configuration version is at most ``max_bytes`` (2,048 KB by default).

    ``content`` is the document's bytes, or their count.
    """
    size = content if isinstance(content, int) else len(content)
    if size > max_bytes:
        quota = ("AppConfig's quota on a hosted configuration version (2 MB = 2,097,152 bytes by default, adjustable "
                 'to 4 MB; "AWS AppConfig endpoints and quotas")')
        limit = quota if max_bytes == rules.DEFAULT_MAX_CONTENT_BYTES else f"{max_bytes:,} bytes (max_content_bytes; {quota})"
        return Problem(path, "content-size", f"the document is {size:,} bytes, over {limit}; split the flags across "
                       "profiles", size)
    return None
