"""AppConfig's verdict on an ``AWS.AppConfig.FeatureFlags`` document, on its plain JSON data.

One rule set serves both ways in: documents loaded from JSON and documents rendered from flag
objects are checked here, so the two can never disagree. Where AppConfig's behaviour is unknown
(see README "Rules enforced") we accept, so that we never refuse what AppConfig would take.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, Mapping

from . import rules
from .problems import Problem

_DOC_KEYS = frozenset({"version", "flags", "values"})
_DEFINITION_KEYS = frozenset({"name", "description", "attributes", "_deprecation", "_createdAt", "_updatedAt"})
_ATTRIBUTE_KEYS = frozenset({"description", "constraints"})
_VALUE_META_KEYS = frozenset({"enabled", "_variants", "_createdAt", "_updatedAt"})
_VARIANT_KEYS = frozenset({"name", "enabled", "rule", "attributeValues"})
_CONSTRAINT_KEYS = {
    "string": frozenset({"type", "required", "pattern", "enum"}),
    "number": frozenset({"type", "required", "minimum", "maximum"}),
    "boolean": frozenset({"type", "required"}),
    "array": frozenset({"type", "required", "elements"}),
}


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str] | str:
    """The compiled constraint pattern, or the compiler's complaint as a string."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        return str(exc)


class _Checker:
    __slots__ = ("problems", "warnings")

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def bad(self, path: str, rule: str, message: str, value: Any = None) -> None:
        self.problems.append(Problem(path, rule, message, value))

    def warn(self, path: str, rule: str, message: str, value: Any = None) -> None:
        self.warnings.append(Problem(path, rule, message, value))

    def unknown_keys(self, obj: Mapping[str, Any], allowed: frozenset[str], path: str, what: str) -> None:
        for key in obj:
            if key not in allowed:
                self.bad(f"{path}/{key}", "unknown-key", f"{what} may hold only {sorted(allowed)}", key)

    # -- document -------------------------------------------------------------------------------
    def document(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            self.bad(path, "document-type", "a feature-flag document is a JSON object", type(data).__name__)
            return
        self.unknown_keys(data, _DOC_KEYS, path, "the document")
        if "version" not in data:
            self.bad(path, "version", 'a document must have "version": "1"')
        elif data["version"] != rules.DOCUMENT_VERSION or not isinstance(data["version"], str):
            self.bad(f"{path}/version", "version", 'version must be the string "1"', data["version"])
        flags = data.get("flags", {})
        values = data.get("values", {})
        definitions: dict[str, Any] = {}
        if not isinstance(flags, dict):
            self.bad(f"{path}/flags", "flags-type", "flags must be a JSON object", type(flags).__name__)
        else:
            for key, definition in flags.items():
                fpath = f"{path}/{key}"
                if (why := rules.key_problem(key)) is not None:
                    self.bad(fpath, "flag-key", why, key)
                if self.definition(definition, fpath):
                    definitions[key] = definition
        if not isinstance(values, dict):
            self.bad(f"{path}/values", "values-type", "values must be a JSON object", type(values).__name__)
            return
        for key, value in values.items():
            fpath = f"{path}/{key}"
            if key not in flags:
                if (why := rules.key_problem(key)) is not None:
                    self.bad(fpath, "flag-key", why, key)
                self.warn(fpath, "value-without-definition", "values name a flag that flags does not define", key)
            self.value(value, definitions.get(key), fpath)
        if isinstance(flags, dict):
            for key in flags:
                if key not in values:
                    self.warn(f"{path}/{key}", "definition-without-value", "the flag has no entry in values", key)

    # -- definitions ----------------------------------------------------------------------------
    def definition(self, definition: Any, path: str) -> bool:
        if not isinstance(definition, dict):
            self.bad(path, "flag-type", "a flag definition is a JSON object", type(definition).__name__)
            return False
        self.unknown_keys(definition, _DEFINITION_KEYS, path, "a flag definition")
        if "name" in definition and (why := rules.name_problem(definition["name"])) is not None:
            self.bad(f"{path}/name", "flag-name", why, definition["name"])
        if "description" in definition and (why := rules.text_problem(definition["description"])) is not None:
            self.bad(f"{path}/description", "description", why, definition["description"])
        for meta in ("_createdAt", "_updatedAt"):
            if meta in definition and not isinstance(definition[meta], str):
                self.bad(f"{path}/{meta}", "metadata", f"{meta} must be a string", definition[meta])
        if "_deprecation" in definition:
            self.deprecation(definition["_deprecation"], f"{path}/_deprecation")
        attributes = definition.get("attributes", {})
        if not isinstance(attributes, dict):
            self.bad(f"{path}/attributes", "attributes-type", "attributes must be a JSON object", type(attributes).__name__)
            return False
        if len(attributes) > rules.ATTRIBUTES_MAX:
            self.bad(path, "attributes-max", f"a flag has at most {rules.ATTRIBUTES_MAX} attributes", len(attributes))
        ok = True
        for key, attribute in attributes.items():
            apath = f"{path}/{key}"
            if (why := rules.key_problem(key)) is not None:
                self.bad(apath, "attribute-key", why, key)
            elif key == rules.RESERVED_ATTRIBUTE:
                self.bad(apath, "attribute-key", "'enabled' is reserved and cannot name an attribute", key)
            ok = self.attribute(attribute, apath) and ok
        return ok

    def deprecation(self, deprecation: Any, path: str) -> None:
        if not isinstance(deprecation, dict):
            self.bad(path, "deprecation", "_deprecation is a JSON object", deprecation)
            return
        self.unknown_keys(deprecation, frozenset({"status", "date"}), path, "_deprecation")
        if "status" in deprecation and deprecation["status"] != rules.DEPRECATION_STATUS:
            self.bad(f"{path}/status", "deprecation", 'the only status is "planned"', deprecation["status"])
        if "date" in deprecation:
            when = deprecation["date"]
            if not isinstance(when, str) or not rules.DATE_PATTERN.fullmatch(when) or not _is_date(when):
                self.bad(f"{path}/date", "deprecation", "the date is a calendar date written YYYY-MM-DD", when)

    def attribute(self, attribute: Any, path: str) -> bool:
        if not isinstance(attribute, dict):
            self.bad(path, "attribute-type", "an attribute definition is a JSON object", type(attribute).__name__)
            return False
        self.unknown_keys(attribute, _ATTRIBUTE_KEYS, path, "an attribute definition")
        if "description" in attribute and (why := rules.text_problem(attribute["description"])) is not None:
            self.bad(f"{path}/description", "description", why, attribute["description"])
        if "constraints" in attribute:
            return self.constraints(attribute["constraints"], path, element=False)
        return True

    def constraints(self, c: Any, path: str, *, element: bool) -> bool:
        if not isinstance(c, dict):
            self.bad(path, "constraints", "constraints are a JSON object", c)
            return False
        kind = c.get("type")
        allowed = ("string", "number") if element else ("string", "number", "boolean", "array")
        if kind not in allowed:
            what = "array elements" if element else "an attribute"
            self.bad(path, "constraint-type", f"the type of {what} is one of {list(allowed)}", kind)
            return False
        before = len(self.problems)
        self.unknown_keys(c, _CONSTRAINT_KEYS[kind], path, f"{kind} constraints")
        if "required" in c and not isinstance(c["required"], bool):
            self.bad(path, "required", "required is true or false", c["required"])
        if kind == "string":
            if "pattern" in c and "enum" in c:
                self.bad(path, "pattern-and-enum", "a string has a pattern or an enum, not both", sorted(c))
            if "pattern" in c:
                pattern = c["pattern"]
                if (why := rules.text_problem(pattern, "a pattern")) is not None:
                    self.bad(path, "pattern", why, pattern)
                elif isinstance(complaint := compile_pattern(pattern), str):
                    self.bad(path, "pattern", f"the regular expression does not compile: {complaint}", pattern)
            if "enum" in c:
                self.enum(c["enum"], path)
        elif kind == "number":
            for bound in ("minimum", "maximum"):
                if bound in c and not rules.is_integer(c[bound]):
                    self.bad(path, bound, f"{bound} must be an integer", c[bound])
            lo, hi = c.get("minimum"), c.get("maximum")
            if rules.is_integer(lo) and rules.is_integer(hi) and lo > hi:
                self.bad(path, "minimum-above-maximum", "minimum must not exceed maximum", (lo, hi))
        elif kind == "array":
            if "elements" in c:
                self.constraints(c["elements"], f"{path}[]", element=True)
        return len(self.problems) == before

    def enum(self, enum: Any, path: str) -> None:
        if not isinstance(enum, list) or not enum:
            self.bad(path, "enum", "an enum is a non-empty list", enum)
            return
        if len(enum) > rules.ENUM_MAX:
            self.bad(path, "enum", f"an enum has at most {rules.ENUM_MAX} entries", len(enum))
        for member in enum:
            if isinstance(member, str):
                if len(member) > rules.TEXT_MAX:
                    self.bad(path, "enum", f"enum entries have at most {rules.TEXT_MAX} characters", member)
            elif not rules.is_integer(member):
                self.bad(path, "enum", "a string enum holds strings (or integers)", member)

    # -- values ---------------------------------------------------------------------------------
    def value(self, value: Any, definition: Mapping[str, Any] | None, path: str) -> None:
        if not isinstance(value, dict):
            self.bad(path, "value-type", "a flag value is a JSON object", type(value).__name__)
            return
        attributes = definition.get("attributes", {}) if definition is not None else {}
        if "enabled" in value and not isinstance(value["enabled"], bool):
            self.bad(f"{path}/enabled", "enabled", "enabled is true or false", value["enabled"])
        for meta in ("_createdAt", "_updatedAt"):
            if meta in value and not isinstance(value[meta], str):
                self.bad(f"{path}/{meta}", "metadata", f"{meta} must be a string", value[meta])
        given = {k: v for k, v in value.items() if k not in _VALUE_META_KEYS}
        for key in given:
            if (why := rules.key_problem(key)) is not None:
                self.bad(f"{path}/{key}", "attribute-key", why, key)
        if len(given) > rules.ATTRIBUTES_MAX:
            self.bad(path, "attributes-max", f"a flag value holds at most {rules.ATTRIBUTES_MAX} attributes", len(given))
        self.attribute_values(given, attributes, path, enabled=value.get("enabled") is True, where="values")
        if "_variants" in value:
            self.variants(value["_variants"], attributes, f"{path}/_variants")

    def variants(self, variants: Any, attributes: Mapping[str, Any], path: str) -> None:
        if not isinstance(variants, list):
            self.bad(path, "variants", "_variants is a list", type(variants).__name__)
            return
        if len(variants) > rules.VARIANTS_MAX:
            self.bad(path, "variants-max", f"a flag has at most {rules.VARIANTS_MAX} variants", len(variants))
        seen: set[str] = set()
        for index, variant in enumerate(variants):
            vpath = f"{path}[{index}]"
            if not isinstance(variant, dict):
                self.bad(vpath, "variant", "a variant is a JSON object", variant)
                continue
            self.unknown_keys(variant, _VARIANT_KEYS, vpath, "a variant")
            name = variant.get("name")
            if "name" not in variant:
                self.bad(vpath, "variant-name", "a variant must have a name")
            elif (why := rules.name_problem(name)) is not None:
                self.bad(vpath, "variant-name", why, name)
            elif name in seen:
                self.bad(vpath, "variant-name", "variant names are unique within a flag", name)
            else:
                seen.add(name)
            if not isinstance(variant.get("enabled"), bool):
                self.bad(vpath, "enabled", "a variant must have enabled: true or false", variant.get("enabled"))
            rule = variant.get("rule")
            if "rule" in variant and (not isinstance(rule, str) or len(rule) > rules.RULE_MAX):
                self.bad(vpath, "variant-rule", f"a rule is a string of at most {rules.RULE_MAX} characters", rule)
            if index == len(variants) - 1 and rule:
                self.bad(vpath, "default-variant", "the last variant is the default and cannot have a rule", rule)
            values = variant.get("attributeValues", {})
            if not isinstance(values, dict):
                self.bad(vpath, "attribute-values", "attributeValues is a JSON object", values)
                continue
            if len(values) > rules.ATTRIBUTES_MAX:
                self.bad(vpath, "attributes-max", f"a variant holds at most {rules.ATTRIBUTES_MAX} attributes", len(values))
            for key in values:
                if (why := rules.key_problem(key)) is not None:
                    self.bad(f"{vpath}/{key}", "attribute-key", why, key)
            self.attribute_values(values, attributes, vpath, enabled=variant.get("enabled") is True, where="variant")

    def attribute_values(
        self, given: Mapping[str, Any], attributes: Mapping[str, Any], path: str, *, enabled: bool, where: str
    ) -> None:
        for key, value in given.items():
            apath = f"{path}/{key}"
            if not _is_attribute_value(value):
                self.bad(apath, "attribute-value", "a value is a string, number, boolean, or non-empty array of all strings or all numbers", value)
                continue
            if isinstance(value, str) and len(value) > rules.TEXT_MAX:
                self.bad(apath, "attribute-value", f"a string value has at most {rules.TEXT_MAX} characters", value)
                continue
            definition = attributes.get(key)
            if definition is None:
                if attributes or where == "variant":
                    self.warn(apath, "undefined-attribute", "the flag defines no attribute of this name", key)
                continue
            constraints = definition.get("constraints") if isinstance(definition, dict) else None
            if isinstance(constraints, dict):
                self.value_fits(value, constraints, apath)
        if enabled:
            for key, definition in attributes.items():
                constraints = definition.get("constraints") if isinstance(definition, dict) else None
                if isinstance(constraints, dict) and constraints.get("required") is True and key not in given:
                    self.bad(f"{path}/{key}", "required", "the attribute is required when the flag is enabled", None)

    def value_fits(self, value: Any, c: Mapping[str, Any], path: str) -> None:
        kind = c.get("type")
        if kind == "array":
            if not isinstance(value, list):
                self.bad(path, "type", "the attribute is an array", value)
                return
            elements = c.get("elements")
            if isinstance(elements, dict):
                for index, item in enumerate(value):
                    self.value_fits(item, elements, f"{path}[{index}]")
            return
        if kind == "string":
            if not isinstance(value, str):
                self.bad(path, "type", "the attribute is a string", value)
                return
            pattern = c.get("pattern")
            if isinstance(pattern, str):
                compiled = compile_pattern(pattern)
                # JSON Schema's pattern is a search, not a full match: anchor it with ^...$.
                if not isinstance(compiled, str) and compiled.search(value) is None:
                    self.bad(path, "pattern", f"the value does not match the pattern {pattern!r}", value)
            enum = c.get("enum")
            if isinstance(enum, list) and value not in enum and value not in {str(m) for m in enum if rules.is_integer(m)}:
                self.bad(path, "enum", f"the value is not one of {enum}", value)
        elif kind == "number":
            if not rules.is_number(value):
                self.bad(path, "type", "the attribute is a number", value)
                return
            lo, hi = c.get("minimum"), c.get("maximum")
            if rules.is_integer(lo) and value < lo:
                self.bad(path, "minimum", f"the value is below the minimum {lo}", value)
            if rules.is_integer(hi) and value > hi:
                self.bad(path, "maximum", f"the value is above the maximum {hi}", value)
        elif kind == "boolean" and not isinstance(value, bool):
            self.bad(path, "type", "the attribute is a boolean", value)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_attribute_value(value: Any) -> bool:
    """S1 ``attributeValue``: string, number, boolean, or a non-empty all-string/all-number array."""
    if isinstance(value, (str, bool)) or rules.is_number(value):
        return True
    if isinstance(value, list) and value:
        return all(isinstance(v, str) for v in value) or all(rules.is_number(v) for v in value)
    return False


def check_document(data: Any, *, path: str) -> tuple[list[Problem], list[Problem]]:
    """All problems (AppConfig would refuse) and warnings (it takes, but is likely a slip) in ``data``.

    ``path`` prefixes every problem, e.g. ``CheckoutFlags@Beta``.
    """
    checker = _Checker()
    checker.document(data, path)
    return checker.problems, checker.warnings


def size_problem(content: bytes, *, path: str, max_bytes: int) -> Problem | None:
    """S10: a hosted configuration version is at most ``max_bytes`` (2 MB by default)."""
    if len(content) > max_bytes:
        return Problem(path, "content-size", f"the document is over the hosted configuration limit of {max_bytes} bytes", len(content))
    return None
