"""Existing feature-flag documents as a Python flag module: ``appconfig-flags import``.

:func:`import_documents` reads one profile's document per environment (as AppConfig serves them,
or exported files) and writes a module in the catalogue's style: one :class:`~appconfig_flags.model.Flag`
per flag, attribute factories (``Attribute.number(...)``) from constraints, the values the
environments share at the flag level and each environment's differences as a
:class:`~appconfig_flags.model.FlagValue`, variants as :class:`~appconfig_flags.model.Variant` with
:class:`~appconfig_flags.model.Rule` objects (rule text kept as written when it is not the canonical
text), ``_deprecation`` as :class:`~appconfig_flags.model.ShortTerm`. The module is executed before
it is returned and must render each environment's document exactly (as JSON data); AppConfig's
bookkeeping keys (``_createdAt``, ``_updatedAt``, "includes some AWS AppConfig generated metadata":
"Creating a feature flag configuration profile (command line)",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-feature-flag-configuration-commandline.html)
are left out, as are empty ``attributes``/``attributeValues`` objects. What a profile cannot express
(a flag defined differently in two environments, or missing from one) raises
:class:`~appconfig_flags.model.FlagValidationError` with the path of each problem; nothing is
changed silently.
"""
from __future__ import annotations

import json
import keyword
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from appconfig_flags.model import FlagValidationError, Problem, Profile
from appconfig_flags.model.dates import DATE_FORMATS, parse_date
from appconfig_flags.model.problems import safe_repr

from . import codegen
from .codegen import Atom, Call, Dict, Node, Tuple
from .rules import rule_node

__all__ = ["BOOKKEEPING_KEYS", "import_documents", "normalised"]

#: Keys AppConfig adds to stored flag definitions and values; not imported.
BOOKKEEPING_KEYS = ("_createdAt", "_updatedAt")
#: Default line length of the written module (this repository's ruff setting).
LINE_LENGTH = 120
_RESERVED_NAMES = frozenset({"ENVIRONMENTS", "PROFILES", "Attribute", "Constraints", "Flag", "FlagValue", "Profile",
                             "Rule", "ShortTerm", "Variant", "ctx", "Decimal", "datetime", "timedelta", "timezone"})


def normalised(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` as the model renders it: bookkeeping keys and empty ``attributes``/``attributeValues`` left out,
    ``flags`` and ``values`` always present. Two documents with the same normalised form mean the same to AppConfig.
    """
    flags: dict[str, Any] = {}
    for key, definition in document.get("flags", {}).items():
        out = {k: v for k, v in definition.items() if k not in BOOKKEEPING_KEYS}
        if out.get("attributes") == {}:
            del out["attributes"]
        flags[key] = out
    values: dict[str, Any] = {}
    for key, value in document.get("values", {}).items():
        out = {k: v for k, v in value.items() if k not in BOOKKEEPING_KEYS}
        if "_variants" in out:
            out["_variants"] = [{k: v for k, v in variant.items() if not (k == "attributeValues" and v == {})}
                                for variant in out["_variants"]]
        values[key] = out
    return {"version": document.get("version"), "flags": flags, "values": values}


@dataclass(frozen=True)
class _Names:
    """Python names for flags and the profile: upper snake case, unique, never a name the module imports."""

    taken: set[str]

    def new(self, text: str, fallback: str) -> str:
        snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
        name = re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").upper()
        if not name or not name.isascii() or name[0].isdigit():
            name = f"{fallback}_{name}".strip("_") if name and name.isascii() else fallback
        if name in ("I", "L", "O"):  # ambiguous names (E741)
            name = f"{name}_{fallback}"
        base, number = name, 2
        while name in self.taken or keyword.iskeyword(name):
            name, number = f"{base}_{number}", number + 1
        self.taken.add(name)
        return name


def import_documents(profile: str, documents: Mapping[str | None, str | bytes | Mapping[str, Any]], *,
                     line_length: int = LINE_LENGTH, source: str = "documents", typed: bool = False,
                     application: str | None = None) -> str:
    """The Python module for ``profile`` whose Profile renders each of ``documents`` (environment → document).

    A single document under the key ``None`` gives a profile without environments. ``source`` says
    where the documents came from, in the module's docstring. ``typed``: each attribute is a module
    constant whose key is a ``Literal`` type, and each flag is annotated with its keys, so reads are
    typed and an undeclared attribute is a type error (Default: False, attributes inline in their flag).
    ``application``: the AppConfig application the module's profile names (Default: none).
    Raises :class:`FlagValidationError` for an invalid document, and for what a profile cannot
    express, with the path of each problem.
    """
    if not documents:
        raise FlagValidationError([Problem(profile, "import-no-document", "give at least one document")],
                                  subject=f"import of {safe_repr(profile)}")
    if None in documents and len(documents) > 1:
        raise FlagValidationError([Problem(profile, "import-environments",
                                           "a document without an environment is the only one")],
                                  subject=f"import of {safe_repr(profile)}")
    data = {env: _checked(profile, env, document) for env, document in documents.items()}
    plan = _plan(profile, data)
    text = _module(profile, plan, [e for e in data if e is not None], line_length=line_length, source=source,
                   typed=typed, application=application)
    _verify(profile, text, data)
    return text


# -- reading ------------------------------------------------------------------------------------
def _checked(profile: str, environment: str | None, document: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """The document as data, after the model's AppConfig checks (every problem, with its path)."""
    where = profile if environment is None else f"{profile}@{environment}"
    data = document if isinstance(document, (str, bytes)) else dict(document)
    Profile.from_document(where, data)  # raises FlagValidationError with every problem of the document
    return normalised(json.loads(data) if isinstance(data, (str, bytes)) else data)


@dataclass
class _FlagPlan:
    key: str
    definition: dict[str, Any] | None
    default: dict[str, Any] | None
    overrides: dict[str, dict[str, Any]]
    #: Attribute key → date format name, for string attributes whose pattern and values are dates.
    dates: dict[str, str]


def _plan(profile: str, data: Mapping[str | None, dict[str, Any]]) -> list[_FlagPlan]:
    environments = list(data)
    first = environments[0]
    problems: list[Problem] = []
    keys = list(data[first]["flags"]) + [k for k in data[first]["values"] if k not in data[first]["flags"]]
    for env in environments[1:]:
        for part in ("flags", "values"):
            mine, theirs = set(data[first][part]), set(data[env][part])
            for key in sorted(mine ^ theirs):
                has, lacks = (first, env) if key in mine else (env, first)
                problems.append(Problem(f"{profile}@{lacks}/{key}", f"import-{part}-missing",
                                        f"{has}'s document has {part}.{key} and {lacks}'s does not: a profile renders "
                                        "every flag in every environment", key))
    for key in keys:
        definitions = {env: data[env]["flags"].get(key) for env in environments}
        base = definitions[first]
        for env, definition in definitions.items():
            if definition is not None and base is not None and definition != base:
                member = next((m for m in {**base, **definition} if base.get(m) != definition.get(m)), "")
                problems.append(Problem(f"{profile}@{env}/{key}/{member}".rstrip("/"), "import-definition-differs",
                                        f"the flag is defined differently in {first} and {env}: a profile has one "
                                        "definition per flag", definition.get(member)))
    if problems:
        raise FlagValidationError(problems, subject=f"import of {safe_repr(profile)}")
    plans = []
    for key in keys:
        definition = data[first]["flags"].get(key)
        values = {env: data[env]["values"].get(key) for env in environments}
        default, overrides = _fold(definition or {}, values)
        plans.append(_FlagPlan(key, definition, default, overrides, _date_attributes(definition or {}, values)))
    return plans


def _json(value: Any) -> str:
    """``value`` as JSON text: values are the same when their texts are (``0`` is not ``0.0``, ``1`` not ``true``)."""
    return json.dumps(value, sort_keys=True)


def _most_common(items: Sequence[Any]) -> Any:
    """The most frequent item (compared as JSON), the first seen on a tie."""
    counts = Counter(_json(i) for i in items)
    best = max(counts.values())
    return next(i for i in items if counts[_json(i)] == best)


def _fold(definition: dict[str, Any], values: Mapping[str | None, dict[str, Any] | None]) -> tuple[
        dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The flag-level value and each environment's override (as value JSON) that render ``values``."""
    present = {env: v for env, v in values.items() if v is not None}
    if not present:
        return None, {}
    distinct = list(present.values())
    if all(_json(v) == _json(distinct[0]) for v in distinct) and len(present) == len(values):
        return distinct[0], {}
    basic = {env: v for env, v in present.items() if "_variants" not in v}
    overrides: dict[str, dict[str, Any]] = {}
    if not basic:  # every environment has variants: the most common value is the flag's, the others override it
        common: dict[str, Any] = _most_common(distinct)
        return common, {str(env): v for env, v in present.items() if _json(v) != _json(common)}
    enabled = [v.get("enabled") for v in basic.values()]
    default_enabled = enabled[0] if len({_json(e) for e in enabled}) == 1 else None if None in enabled \
        else _most_common(enabled)
    first = next(iter(basic.values()))
    shared = [k for k in first if k != "enabled" and all(k in v for v in basic.values())]
    default: dict[str, Any] = {k: _most_common([v[k] for v in basic.values()]) for k in shared}
    required = {k for k, a in definition.get("attributes", {}).items() if a.get("constraints", {}).get("required")}
    if default_enabled is True and not required <= set(default):
        default_enabled = False  # the default document (never served) must stay valid: required holds when enabled
    if default_enabled is not None:
        default = {"enabled": default_enabled, **default}
    for env, value in present.items():
        if "_variants" in value:
            overrides[str(env)] = value
            continue
        change = {k: v for k, v in value.items() if k not in default or _json(default[k]) != _json(v)}
        if change:
            overrides[str(env)] = change
    return default, overrides


def _date_attributes(definition: dict[str, Any], values: Mapping[str | None, dict[str, Any] | None]) -> dict[str, str]:
    """String attributes whose pattern is one of :data:`DATE_FORMATS` and whose every value is a calendar date."""
    out = {}
    for key, attribute in definition.get("attributes", {}).items():
        constraints = attribute.get("constraints", {})
        if constraints.get("type") != "string" or "enum" in constraints:
            continue
        fmt = next((f for f in DATE_FORMATS.values() if f.pattern == constraints.get("pattern")), None)
        if fmt is None:
            continue
        seen = []
        for value in values.values():
            for holder in [value or {}, *(v.get("attributeValues", {}) for v in (value or {}).get("_variants", ()))]:
                if key in holder:
                    seen.append(holder[key])
        if all(isinstance(v, str) and parse_date(v, fmt.name) is not None for v in seen):
            out[key] = fmt.name
    return out


# -- writing ------------------------------------------------------------------------------------
class _Writer:
    def __init__(self) -> None:
        self.imports: set[str] = set()
        self.extra_imports: dict[str, set[str]] = {}

    def use(self, name: str) -> str:
        self.imports.add(name)
        return name

    def literal(self, value: Any) -> Node:
        if isinstance(value, bool):
            return Atom("True" if value else "False")
        if isinstance(value, str):
            return Atom(codegen.string(value))
        if isinstance(value, (int, float)):
            return Atom(codegen.number(value))
        if isinstance(value, list):
            return Tuple([self.literal(v) for v in value])
        raise ValueError(f"not an attribute value: {value!r}")  # the document check refuses it first

    def values(self, values: Mapping[str, Any]) -> Node:
        return Dict([(Atom(codegen.string(k)), self.literal(v)) for k, v in values.items()])

    def attribute_type(self, attribute: dict[str, Any], date_format: str | None) -> str:
        """The value type a read of this attribute returns (:class:`~appconfig_flags.model.Attribute`'s first parameter)."""
        constraints = attribute.get("constraints")
        factory = _factory(constraints, date_format) if constraints is not None else None
        name = factory[0] if factory is not None else None
        if name in ("string_array", "number_array"):
            self.extra_imports.setdefault("collections.abc", set()).add("Sequence")
        if name is None:
            return self.use("AttributeValue")
        return _VALUE_TYPES[name]

    def attribute(self, key: str, attribute: dict[str, Any], date_format: str | None) -> Node:
        description = attribute.get("description")
        constraints = attribute.get("constraints")
        head: list[tuple[str, Node]] = []
        if description is not None:
            head.append(("description", Atom(codegen.string(description))))
        key_node = Atom(codegen.string(key))
        factory = _factory(constraints, date_format) if constraints is not None else None
        if factory is None:
            kwargs = [("key", key_node), *head]
            if constraints is not None:
                kwargs.append(("constraints", self.constraints(constraints)))
            return Call(self.use("Attribute"), (), kwargs)
        name, options = factory
        if name == "date":
            head.insert(0, ("format", Atom(codegen.string(date_format or ""))))
        options_nodes: list[tuple[str, Node]] = []
        for option, value in options.items():
            node = Tuple([self.literal(v) for v in value]) if option == "enum" else self.literal(value)
            options_nodes.append((option, node))
        return Call(f"{self.use('Attribute')}.{name}", (key_node,), [*head, *options_nodes])

    def constraints(self, constraints: dict[str, Any]) -> Node:
        kwargs: list[tuple[str, Node]] = [("kind", Atom(codegen.string(constraints["type"])))]
        for name in ("required", "pattern", "minimum", "maximum"):
            if name in constraints:
                kwargs.append((name, self.literal(constraints[name])))
        if "enum" in constraints:
            kwargs.append(("enum", Tuple([self.literal(v) for v in constraints["enum"]])))
        if "elements" in constraints:
            kwargs.append(("elements", self.constraints(constraints["elements"])))
        return Call(self.use("Constraints"), (), kwargs)

    def short_term(self, deprecation: dict[str, Any]) -> Node:
        kwargs: list[tuple[str, Node]] = []
        if "date" in deprecation:
            kwargs.append(("remove_by", Atom(codegen.string(deprecation["date"]))))
        if deprecation.get("status") != "planned":
            kwargs.append(("status", Atom("None")))
        return Call(self.use("ShortTerm"), (), kwargs)

    def variant(self, variant: dict[str, Any]) -> Node:
        kwargs: list[tuple[str, Node]] = [("name", Atom(codegen.string(variant["name"]))),
                                          ("enabled", self.literal(variant["enabled"]))]
        if "rule" in variant:
            kwargs.append(("rule", self.rule(variant["rule"])))
        if variant.get("attributeValues"):
            kwargs.append(("values", self.values(variant["attributeValues"])))
        return Call(self.use("Variant"), (), kwargs)

    def rule(self, text: str) -> Node:
        found = rule_node(text)
        if found is None:
            return Atom(codegen.string(text))
        node, names, extra = found
        for name in names:
            self.use(name)
        for module, imported in extra.items():
            self.extra_imports.setdefault(module, set()).update(imported)
        return node

    def value_kwargs(self, value: dict[str, Any], *, inherit_enabled: bool) -> list[tuple[str, Node]]:
        """``enabled``/``values``/``variants`` of a Flag or FlagValue for the value JSON ``value``."""
        kwargs: list[tuple[str, Node]] = []
        if "enabled" in value:
            kwargs.append(("enabled", self.literal(value["enabled"])))
        elif not inherit_enabled:
            kwargs.append(("enabled", Atom("None")))
        attributes = {k: v for k, v in value.items() if k not in ("enabled", "_variants")}
        if attributes:
            kwargs.append(("values", self.values(attributes)))
        if "_variants" in value:
            kwargs.append(("variants", Tuple([self.variant(v) for v in value["_variants"]])))
        return kwargs

    def flag(self, plan: _FlagPlan, attribute_names: Sequence[str] | None = None) -> Node:
        kwargs: list[tuple[str, Node]] = [("key", Atom(codegen.string(plan.key)))]
        definition = plan.definition or {}
        for name in ("name", "description"):
            if name in definition:
                kwargs.append((name, Atom(codegen.string(definition[name]))))
        if "_deprecation" in definition:
            kwargs.append(("short_term", self.short_term(definition["_deprecation"])))
        attributes = definition.get("attributes", {})
        if attributes and attribute_names is not None:
            kwargs.append(("attributes", Tuple([Atom(n) for n in attribute_names])))
        elif attributes:
            kwargs.append(("attributes", Tuple([self.attribute(k, a, plan.dates.get(k)) for k, a in attributes.items()])))
        if plan.default is not None:
            # Flag's enabled defaults to False: an absent "enabled" is written enabled=None.
            kwargs += self.value_kwargs(plan.default, inherit_enabled=False)
        if plan.overrides:
            kwargs.append(("environments", Dict([
                (Atom(codegen.string(env)), Call(self.use("FlagValue"), (), self.value_kwargs(value, inherit_enabled=True)))
                for env, value in plan.overrides.items()])))
        if plan.definition is None:
            kwargs.append(("defined", Atom("False")))
        if plan.default is None:
            kwargs.append(("has_value", Atom("False")))
        return Call(self.use("Flag"), (), kwargs)


def _factory(constraints: dict[str, Any], date_format: str | None) -> tuple[str, dict[str, Any]] | None:
    """The typed factory (and its options) that builds exactly ``constraints``, or ``None``."""
    kind = constraints["type"]
    options = {k: v for k, v in constraints.items() if k != "type"}
    if kind == "string" and date_format is not None and set(options) <= {"required", "pattern"}:
        return "date", {k: v for k, v in options.items() if k == "required"}
    if kind == "string" and all(isinstance(v, str) for v in options.get("enum", ())):
        return "string", options
    if kind in ("number", "boolean"):
        return kind, options
    if kind == "array":
        elements = options.pop("elements", None)
        if elements is None or "required" in elements:
            return None
        element_options = {k: v for k, v in elements.items() if k != "type"}
        if elements["type"] == "string" and all(isinstance(v, str) for v in element_options.get("enum", ())):
            return "string_array", {**options, **element_options}
        if elements["type"] == "number" and set(element_options) <= {"minimum", "maximum"}:
            return "number_array", {**options, **element_options}
    return None


#: The value type of each factory's attributes.
_VALUE_TYPES = {"string": "str", "date": "str", "number": "float", "boolean": "bool",
                "string_array": "Sequence[str]", "number_array": "Sequence[float]"}


def _module(profile: str, plans: list[_FlagPlan], environments: list[str], *, line_length: int, source: str,
            typed: bool = False, application: str | None = None) -> str:
    writer = _Writer()
    names = _Names(set(_RESERVED_NAMES))
    statements: list[str] = []
    flag_names = [names.new(plan.key, "FLAG") for plan in plans]
    attribute_keys = Counter(k for plan in plans for k in (plan.definition or {}).get("attributes", {}))
    for name, plan in zip(flag_names, plans):
        attributes = (plan.definition or {}).get("attributes", {})
        if not typed or not attributes:
            statements.append(codegen.assignment(name, writer.flag(plan), line_length=line_length))
            continue
        # Typed: each attribute a constant with a Literal key, the flag annotated with the union of its keys.
        writer.extra_imports.setdefault("typing", set()).update({"Literal", "TypeAlias"})
        attribute_names = []
        for key, attribute in attributes.items():
            taken = attribute_keys[key] > 1 or _Names(set()).new(key, "A") in names.taken
            attribute_name = names.new(f"{name}_{key}" if taken else key, "ATTRIBUTE")
            attribute_names.append(attribute_name)
            annotation = codegen.Subscript(writer.use("Attribute"), [
                Atom(writer.attribute_type(attribute, plan.dates.get(key))),
                codegen.Subscript("Literal", [Atom(codegen.string(key))])])
            statements.append(codegen.assignment(attribute_name, writer.attribute(key, attribute, plan.dates.get(key)),
                                                 line_length=line_length, annotation=annotation))
        keys_name = names.new(f"{name}_KEYS", "KEYS")
        statements.append(f"#: The attribute keys of {plan.key}: ``{name}`` reads only these.\n" + codegen.assignment(
            keys_name, codegen.Subscript("Literal", [Atom(codegen.string(k)) for k in attributes]),
            line_length=line_length, annotation=Atom("TypeAlias")))
        statements.append(codegen.assignment(name, writer.flag(plan, attribute_names), line_length=line_length,
                                             annotation=codegen.Subscript("Flag", [Atom(keys_name)])))
    profile_name = names.new(profile, "PROFILE")
    profile_args: list[Node] = [Atom(codegen.string(profile)), Tuple([Atom(n) for n in flag_names])]
    profile_kwargs: list[tuple[str, Node]] = [("application", Atom("APPLICATION"))] if application else []
    profile_kwargs += [("environments", Atom("ENVIRONMENTS"))] if environments else []
    if _needs_lenient(profile, writer, environments, statements, flag_names):
        profile_kwargs.append(("strict", Atom("False")))
    writer.use("Profile")
    head = [f'"""The ``{profile}`` profile, imported from {source} by ``appconfig-flags import``."""', ""]
    for module, imported in sorted(writer.extra_imports.items()):
        head.append(f"from {module} import {', '.join(sorted(imported))}")
    if writer.extra_imports:
        head.append("")
    head.append(_import_line(writer.imports, line_length))
    body = []
    if application:
        body += ["", "#: The AppConfig application the profile was imported from.",
                 codegen.assignment("APPLICATION", Atom(codegen.string(application)), line_length=line_length)]
    if environments:
        body += ["", "#: The environments whose documents were imported.",
                 codegen.assignment("ENVIRONMENTS", Tuple([Atom(codegen.string(e)) for e in environments]),
                                    line_length=line_length)]
    body += [part for statement in statements for part in ("", statement)]
    body += ["", codegen.assignment(profile_name, Call("Profile", profile_args, profile_kwargs), line_length=line_length),
             "", "#: Every profile of this module (``appconfig-flags check`` reads it).",
             codegen.assignment("PROFILES", Tuple([Atom(profile_name)]), line_length=line_length)]
    return "\n".join([*head, *body]) + "\n"


def _import_line(imported: set[str], line_length: int) -> str:
    # isort's order (ruff's I001): constants, then classes, then functions.
    ordered = sorted(imported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    line = f"from appconfig_flags.model import {', '.join(ordered)}"
    if len(line) <= line_length:
        return line
    return "from appconfig_flags.model import (\n" + "".join(f"    {n},\n" for n in ordered) + ")"


def _needs_lenient(profile: str, writer: _Writer, environments: list[str], statements: list[str],
                   flag_names: list[str]) -> bool:
    """Whether the strict profile (the default) refuses these flags where the lenient one (``strict=False``) does not."""
    namespace = _run(_draft(writer, environments, statements))
    flags = tuple(namespace[n] for n in flag_names)
    options = {"environments": tuple(environments)} if environments else {}
    try:
        Profile(profile, flags, **options)  # type: ignore[arg-type]
    except FlagValidationError:
        Profile(profile, flags, strict=False, **options)  # type: ignore[arg-type]  # raises what AppConfig would refuse
        return True
    return False


def _draft(writer: _Writer, environments: list[str], statements: list[str]) -> str:
    """The flags of the module, to build them before the profile's options are known."""
    lines = [f"from {m} import {', '.join(sorted(i))}" for m, i in writer.extra_imports.items()]
    lines.append(f"from appconfig_flags.model import {', '.join(sorted(writer.imports | {'Profile'}))}")
    lines.append(f"ENVIRONMENTS = {tuple(environments)!r}")
    return "\n".join([*lines, *statements]) + "\n"


def _run(text: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "appconfig_flags_import"}
    # Our own module: every string of the documents in it is a quoted literal (codegen.string).
    exec(compile(text, "<appconfig-flags import>", "exec"), namespace)  # noqa: S102
    return namespace


def _verify(profile: str, text: str, data: Mapping[str | None, dict[str, Any]]) -> None:
    """The module renders each document; a difference is a bug of the importer, reported with its path."""
    namespace = _run(text)
    imported = namespace["PROFILES"][0]
    problems = []
    for env, expected in data.items():
        rendered = normalised(json.loads(imported.render(env)))
        path = _first_difference(expected, rendered, f"{profile}" if env is None else f"{profile}@{env}")
        if path is not None:
            problems.append(Problem(path, "import-round-trip", "the written module renders this differently "
                                    "(an importer bug: please report it)"))
    if problems:
        raise FlagValidationError(problems, subject=f"import of {safe_repr(profile)}")


def _first_difference(a: Any, b: Any, path: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return f"{path}/{key}"
            found = _first_difference(a[key], b[key], f"{path}/{key}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{path}/{i}")
            if found is not None:
                return found
        return None
    return None if type(a) is type(b) and a == b else path
