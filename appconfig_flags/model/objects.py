"""Type checks of flag objects, run before anything reads them.

Dataclass constructors do not check types. Without this walk a field of the wrong type escapes
later as ``TypeError``, ``AttributeError`` or ``RecursionError``, or silently changes the output:
a bare string where a tuple is meant is read character by character (``enum=("USD")`` is the
string ``"USD"``), and a set renders in an order that changes with the hash seed. Each field is
read once, after its type is checked; every misfit becomes a :class:`Problem` with its path
(``Profile/flag/attribute``, ``Profile@Env/flag/_variants[0]/attribute``), its rule and its value.
What the types allow is then checked against AppConfig's rules by :mod:`.schema`.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from .attributes import Attribute, Constraints
from .flag import Flag, FlagValue, ShortTerm, Variant
from .problems import Problem, safe_repr
from .targeting.rule import Rule


class ProfileFields(Protocol):
    """The fields of a :class:`~appconfig_flags.model.Profile` this walk reads, as declared (any type may be there).

    A protocol, not the class: :mod:`.profile` runs this walk, so this module cannot import it.
    """

    @property
    def name(self) -> Any: ...
    @property
    def flags(self) -> Any: ...
    @property
    def application(self) -> Any: ...
    @property
    def environments(self) -> Any: ...
    @property
    def retired_environments(self) -> Any: ...
    @property
    def max_content_bytes(self) -> Any: ...
    @property
    def strict(self) -> Any: ...
    @property
    def today(self) -> Any: ...
    @property
    def overdue(self) -> Any: ...

#: The Python types an attribute value (or an array element) may have: JSON's scalars. Exact types:
#: a bool is not a number here, and :mod:`.schema` holds values to the same exact types.
_SCALARS = frozenset({str, int, float, bool})
_ARRAYS = frozenset({tuple, list})
_NUMBERS = frozenset({int, float})
_UNORDERED = (set, frozenset)
OVERDUE_CHOICES = ("warning", "error")

_VALUE = "a value is a string, number, boolean, or a tuple or list of strings or of numbers"


def profile_object_problems(profile: ProfileFields) -> list[Problem]:
    """Every field of ``profile`` and of its flag objects that does not hold the type it is declared with."""
    check = _Walk()
    name = profile.name if isinstance(profile.name, str) else safe_repr(profile.name)
    check.profile_options(profile, name)
    flags = profile.flags
    if check.sequence(flags, name, "flags", "a tuple or list of Flag objects"):
        for index, flag in enumerate(flags):
            if not _plain_flag(flag):
                check.flag(flag, index, name)
    return check.problems


class _Walk:
    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, rule: str, message: str, value: Any) -> None:
        self.problems.append(Problem(path, rule, message, value))

    # -- containers ---------------------------------------------------------------------------
    def sequence(self, value: Any, path: str, field: str, what: str) -> bool:
        """True when ``value`` is a tuple or list; otherwise a problem saying why not."""
        if type(value) in _ARRAYS:
            return True
        where = f"{path}/{field}"
        if isinstance(value, (str, bytes)):
            self.bad(where, "bare-string", f"{field} is {what}, not one string (write (x,) for one)", value)
        elif isinstance(value, _UNORDERED):
            self.bad(where, "unordered", f"{field} is {what}: a set has no fixed order, so the output "
                     "would change between runs", value)
        else:
            self.bad(where, "field-type", f"{field} is {what}", value)
        return False

    def mapping(self, value: Any, path: str, field: str, what: str) -> bool:
        """True when ``value`` is a mapping with string keys; otherwise problems saying why not."""
        if type(value) is not dict and not isinstance(value, Mapping):
            self.bad(f"{path}/{field}", "field-type", f"{field} is a mapping of {what}", value)
            return False
        ok = True
        for key in value:
            if not isinstance(key, str):
                self.bad(f"{path}/{field}", "field-type", f"the keys of {field} are strings", key)
                ok = False
        return ok

    def text(self, value: Any, path: str, field: str, *, optional: bool = True) -> None:
        if not isinstance(value, str) and not (optional and value is None):
            self.bad(f"{path}/{field}", "field-type", f"{field} is a string{' or None' if optional else ''}", value)

    def boolean(self, value: Any, path: str, field: str, *, optional: bool = True) -> None:
        if value is not True and value is not False and not (optional and value is None):
            self.bad(f"{path}/{field}", "field-type",
                     f"{field} is True or False{' or None' if optional else ''} (not a string or a number)", value)

    # -- profile --------------------------------------------------------------------------------
    def profile_options(self, profile: ProfileFields, name: str) -> None:
        self.text(profile.application, name, "application")
        environments = profile.environments
        if environments is not None and self.sequence(environments, name, "environments",
                                                      "a tuple or list of environment names"):
            for environment in environments:
                if not isinstance(environment, str):
                    self.bad(f"{name}/environments", "field-type", "environment names are strings", environment)
        retired = profile.retired_environments
        if self.sequence(retired, name, "retired_environments", "a tuple or list of environment names"):
            for environment in retired:
                if not isinstance(environment, str):
                    self.bad(f"{name}/retired_environments", "field-type", "environment names are strings", environment)
        size = profile.max_content_bytes
        if type(size) is not int or size < 1:
            self.bad(f"{name}/max_content_bytes", "field-type", "max_content_bytes is a positive int (not a bool)", size)
        self.boolean(profile.strict, name, "strict", optional=False)
        today = profile.today
        if today is not None and type(today) is not date:
            why = " (not a datetime: it cannot be compared with dates)" if isinstance(today, datetime) else ""
            self.bad(f"{name}/today", "field-type", f"today is None or a datetime.date{why}", today)
        if not isinstance(profile.overdue, str) or profile.overdue not in OVERDUE_CHOICES:
            self.bad(f"{name}/overdue", "field-type", f"overdue is one of {list(OVERDUE_CHOICES)}", profile.overdue)

    # -- flags ----------------------------------------------------------------------------------
    def flag(self, flag: Any, index: int, profile: str) -> None:
        if not isinstance(flag, Flag):
            self.bad(profile, "object-type", "a profile holds Flag objects", flag)
            return
        key = flag.key
        if isinstance(key, str):
            label = key
        else:
            label = f"flags[{index}]"
            self.bad(f"{profile}/{label}/key", "field-type", "a flag key is a string", key)
        path = f"{profile}/{label}"
        name, description = flag.name, flag.description
        if not (name is None or type(name) is str) or not (description is None or type(description) is str):
            self.text(name, path, "name")
            self.text(description, path, "description")
        attributes = flag.attributes
        if type(attributes) in _ARRAYS or self.sequence(attributes, path, "attributes",
                                                        "a tuple or list of Attribute objects"):
            for attribute in attributes:
                if not _plain_attribute(attribute):
                    self.attribute(attribute, path)
        short_term = flag.short_term
        if short_term is not None:
            if isinstance(short_term, ShortTerm):
                self.text(short_term.remove_by, path, "short_term/remove_by")
                self.text(short_term.status, path, "short_term/status")
            else:
                self.bad(f"{path}/short_term", "object-type", "short_term is a ShortTerm or None", short_term)
        self.flag_value(flag, path)
        environments = flag.environments
        if type(environments) is dict and not environments:
            pass
        elif self.mapping(environments, path, "environments", "environment names to FlagValue objects"):
            for environment, value in environments.items():
                where = f"{profile}@{environment}/{label}"
                if isinstance(value, FlagValue):
                    self.flag_value(value, where)
                else:
                    self.bad(where, "object-type", "an environment's value is a FlagValue", value)
        for field in ("metadata", "value_metadata"):
            metadata = getattr(flag, field)
            if type(metadata) is dict and not metadata:
                continue
            if self.mapping(metadata, path, field, "strings to strings"):
                for key, value in metadata.items():
                    if not isinstance(value, str):
                        self.bad(f"{path}/{field}/{key}", "field-type", f"the values of {field} are strings", value)
        if flag.defined is not True or flag.has_value is not True:
            self.boolean(flag.defined, path, "defined", optional=False)
            self.boolean(flag.has_value, path, "has_value", optional=False)

    def flag_value(self, value: Flag | FlagValue, path: str) -> None:
        """The fields a flag and an environment's FlagValue share: enabled, values, variants."""
        enabled = value.enabled
        if enabled is not True and enabled is not False and enabled is not None:
            self.boolean(enabled, path, "enabled")
        self.values(value.values, path)
        variants = value.variants
        if variants is not None and self.sequence(variants, path, "variants", "a tuple or list of Variant objects"):
            for index, variant in enumerate(variants):
                where = f"{path}/_variants[{index}]"
                if not isinstance(variant, Variant):
                    self.bad(where, "object-type", "variants are Variant objects", variant)
                    continue
                self.text(variant.name, where, "name", optional=False)
                self.boolean(variant.enabled, where, "enabled", optional=False)
                rule = variant.rule
                if rule is not None and not isinstance(rule, (str, Rule)):
                    self.bad(f"{where}/rule", "field-type", "a rule is a string, a Rule or None", rule)
                self.values(variant.values, where)

    def values(self, values: Any, path: str) -> None:
        if type(values) is not dict and not isinstance(values, Mapping):
            self.bad(f"{path}/values", "field-type", "values is a mapping of attribute keys to values", values)
            return
        for key, value in values.items():
            kind = type(value)
            if kind in _SCALARS and type(key) is str:
                continue
            if not isinstance(key, str):
                self.bad(f"{path}/values", "field-type", "the keys of values are strings", key)
            elif kind in _SCALARS:
                continue
            elif kind in _ARRAYS:
                if _SCALARS.issuperset(map(type, value)):
                    continue
                for item in value:
                    if type(item) not in _SCALARS:
                        self.bad(f"{path}/{key}", "attribute-value",
                                 f"array elements are strings or numbers, not {type(item).__name__}", value)
                        break
            elif isinstance(value, _UNORDERED):
                self.bad(f"{path}/{key}", "unordered", "an array value is a tuple or list: a set has no fixed order", value)
            else:
                self.bad(f"{path}/{key}", "attribute-value", f"{_VALUE}, not {kind.__name__}", value)

    # -- attributes -----------------------------------------------------------------------------
    def attribute(self, attribute: Any, path: str) -> None:
        if not isinstance(attribute, Attribute):
            self.bad(path, "object-type", "a flag's attributes are Attribute objects", attribute)
            return
        key = attribute.key
        if not isinstance(key, str):
            self.bad(f"{path}/attributes", "field-type", "an attribute key is a string", key)
            return
        description, date_format = attribute.description, attribute.date_format
        if (not (description is None or type(description) is str) or not (date_format is None or type(date_format) is str)
                or (attribute.end_date is not False and attribute.end_date is not True)):
            where = f"{path}/{key}"
            self.text(description, where, "description")
            self.text(date_format, where, "date_format")
            self.boolean(attribute.end_date, where, "end_date", optional=False)
        constraints = attribute.constraints
        if constraints is None:
            return
        if not isinstance(constraints, Constraints):
            self.bad(f"{path}/{key}/constraints", "object-type", "constraints are a Constraints object or None",
                     constraints)
            return
        self.constraints(constraints, f"{path}/{key}", element=False)

    def constraints(self, c: Constraints, path: str, *, element: bool) -> None:
        self.text(c.kind, path, "kind", optional=False)
        self.boolean(c.required, path, "required")
        self.text(c.pattern, path, "pattern")
        enum = c.enum
        if enum is not None and self.sequence(enum, path, "enum", "a tuple or list of strings or integers"):
            for member in enum:
                if type(member) not in _SCALARS:
                    self.bad(f"{path}/enum", "field-type", "enum entries are strings or integers", member)
        for bound in ("minimum", "maximum"):
            value = getattr(c, bound)
            if value is not None and type(value) is not int and type(value) is not float:
                self.bad(f"{path}/{bound}", "field-type", f"{bound} is an int or None (a bool is not a number)", value)
        elements = c.elements
        if elements is None:
            return
        if element:
            self.bad(f"{path}/elements", "field-type", "array elements have no elements of their own", elements)
        elif not isinstance(elements, Constraints):
            self.bad(f"{path}/elements", "object-type", "elements are a Constraints object or None", elements)
        else:
            self.constraints(elements, f"{path}[]", element=True)


# The common case, decided in one expression per object: every field has its declared type. Only
# objects that fail it are walked field by field to say what is wrong (10,000 flags x 5 attributes: ~20 ms).
def _plain_flag(f: Any) -> bool:
    if type(f) is not Flag:
        return False
    name, description, attributes, short_term = f.name, f.description, f.attributes, f.short_term
    enabled, environments, metadata, value_metadata = f.enabled, f.environments, f.metadata, f.value_metadata
    return (type(f.key) is str and (name is None or type(name) is str)
            and (description is None or type(description) is str)
            and type(attributes) in _ARRAYS and all(map(_plain_attribute, attributes))
            and (short_term is None or (type(short_term) is ShortTerm and _plain_short_term(short_term)))
            and (enabled is None or enabled is True or enabled is False)
            and _plain_values(f.values) and f.variants is None
            and type(environments) is dict and (not environments or all(map(_plain_environment, environments.items())))
            and type(metadata) is dict and not metadata and type(value_metadata) is dict and not value_metadata
            and f.defined is True and f.has_value is True)


def _plain_short_term(s: ShortTerm) -> bool:
    return (s.remove_by is None or type(s.remove_by) is str) and (s.status is None or type(s.status) is str)


def _plain_environment(item: tuple[Any, Any]) -> bool:
    name, value = item
    enabled = value.enabled if type(value) is FlagValue else 0
    return (type(name) is str and type(value) is FlagValue and (enabled is None or enabled is True or enabled is False)
            and _plain_values(value.values) and value.variants is None)


def _plain_values(values: Any) -> bool:
    if type(values) is not dict:
        return False
    for key, value in values.items():
        if type(key) is not str:
            return False
        kind = type(value)
        if kind not in _SCALARS and not (kind in _ARRAYS and _SCALARS.issuperset(map(type, value))):
            return False
    return True


def _plain_attribute(a: Any) -> bool:
    if type(a) is not Attribute:
        return False
    description, date_format, c = a.description, a.date_format, a.constraints
    if not (type(a.key) is str and (description is None or type(description) is str)
            and (date_format is None or type(date_format) is str) and (a.end_date is False or a.end_date is True)):
        return False
    if c is None:
        return True
    if type(c) is not Constraints:
        return False
    required, pattern, enum, low, high, elements = c.required, c.pattern, c.enum, c.minimum, c.maximum, c.elements
    return (type(c.kind) is str
            and (required is None or required is True or required is False)
            and (pattern is None or type(pattern) is str)
            and (enum is None or (type(enum) in _ARRAYS and _SCALARS.issuperset(map(type, enum))))
            and (low is None or type(low) in _NUMBERS) and (high is None or type(high) in _NUMBERS)
            and (elements is None or (type(elements) is Constraints and elements.elements is None
                                      and _plain_fields(elements))))


def _plain_fields(c: Constraints) -> bool:
    required, pattern, enum, low, high = c.required, c.pattern, c.enum, c.minimum, c.maximum
    return (type(c.kind) is str
            and (required is None or required is True or required is False)
            and (pattern is None or type(pattern) is str)
            and (enum is None or (type(enum) in _ARRAYS and _SCALARS.issuperset(map(type, enum))))
            and (low is None or type(low) in _NUMBERS) and (high is None or type(high) in _NUMBERS))
