"""Typed flag attributes and their constraints (S1 ``attributes``/``constraints``)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic

from ._typing import TypeVar
from .dates import DATE_FORMATS
from .problems import FlagValidationError, Problem, safe_repr

#: What an attribute value may be (S1 ``attributeValue``): arrays are tuples or lists (rendered the
#: same); a set is refused, its order varies between runs. A bool is not a number.
AttributeValue = (
    str | int | float | bool
    | tuple[str, ...] | tuple[int | float, ...]
    | list[str] | list[int] | list[float] | list[int | float]
)
#: ``enum`` of the string factories: a tuple or a list, in the order the console shows.
EnumValues = tuple[str, ...] | list[str]

#: An attribute's value type, as reads return it: ``str``, ``float``, ``bool``, ``Sequence[str]``, ``Sequence[float]``.
V_co = TypeVar("V_co", covariant=True, default=AttributeValue)
#: An attribute's key type: ``str``, or a ``Literal`` when a catalogue states it (see :class:`Attribute`).
K_co = TypeVar("K_co", bound=str, covariant=True, default=str)
_K = TypeVar("_K", bound=str)


class AttributeType(str, Enum):
    """The five attribute types of the AppConfig console (S2)."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    STRING_ARRAY = "string-array"
    NUMBER_ARRAY = "number-array"


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraints:
    """One S1 ``constraints`` object. ``kind`` is ``string``, ``number``, ``boolean`` or ``array``.

    ``None`` means the key is absent from the document. ``elements`` holds the per-element
    constraints of an array (``string`` or ``number``).
    """

    kind: str
    required: bool | None = None
    pattern: str | None = None
    enum: tuple[str | int, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    elements: Constraints | None = None

    def to_json(self) -> dict[str, Any]:
        """This ``constraints`` object as JSON data; keys that are ``None`` are left out."""
        out: dict[str, Any] = {"type": self.kind}
        if self.required is not None:
            out["required"] = self.required
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.elements is not None:
            out["elements"] = self.elements.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Constraints:
        """Build from a ``constraints`` object that :func:`check_document` has passed."""
        enum = data.get("enum")
        elements = data.get("elements")
        return cls(
            kind=data["type"],
            required=data.get("required"),
            pattern=data.get("pattern"),
            enum=tuple(enum) if enum is not None else None,
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            elements=cls.from_json(elements) if elements is not None else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute(Generic[V_co, K_co]):
    """A flag attribute: a key (S1 key pattern, not ``enabled``), optional constraints and description.

    Build one with the typed factories: ``Attribute.string("currency", enum=("USD", "BTC"))``.
    An attribute without constraints (``Attribute(key="note")``) takes any attribute value.

    The factories give the attribute its value type for type checkers (``Attribute[float, str]``
    for :meth:`number`), so ``client.value(flag, DISCOUNT)`` is a ``float | None``. The second
    parameter is the key's type: annotate it as a ``Literal`` (``Attribute[float, Literal["discount"]]``),
    and the flag's as the union of its keys (``Flag[Literal["currency", "discount"]]``), and reading
    an attribute the flag does not declare is a type error (docs/runtime.md: typed reads).
    """

    key: K_co
    constraints: Constraints | None = None
    description: str | None = None
    #: For a date attribute (:meth:`date`): the format its values are written in; not rendered.
    date_format: str | None = None
    #: For a date attribute: its value is the last day of something; a past one is overdue.
    end_date: bool = False

    @property
    def type(self) -> AttributeType | None:
        """The console type of this attribute, or ``None`` when it is unconstrained."""
        c = self.constraints
        if c is None:
            return None
        if c.kind == "array":
            element = c.elements.kind if c.elements is not None else "string"
            return AttributeType.NUMBER_ARRAY if element == "number" else AttributeType.STRING_ARRAY
        return AttributeType(c.kind)

    @property
    def required(self) -> bool:
        """Whether an enabled flag must give this attribute a value. Default: False."""
        return bool(self.constraints and self.constraints.required)

    def to_json(self) -> dict[str, Any]:
        """This attribute's definition (under ``flags.<flag>.attributes``) as JSON data."""
        out: dict[str, Any] = {}
        if self.description is not None:
            out["description"] = self.description
        if self.constraints is not None:
            out["constraints"] = self.constraints.to_json()
        return out

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> Attribute:
        """Build from an attribute definition that :func:`~.schema.check_document` has passed."""
        constraints = data.get("constraints")
        return Attribute(
            key=key,
            description=data.get("description"),
            constraints=Constraints.from_json(constraints) if constraints is not None else None,
        )

    @classmethod
    def string(
        cls,
        key: _K,
        *,
        description: str | None = None,
        required: bool | None = None,
        pattern: str | None = None,
        enum: EnumValues | None = None,
    ) -> Attribute[str, _K]:
        """A string attribute, optionally matching ``pattern`` (a regex search) or one of ``enum`` (a tuple or list)."""
        return Attribute(key=key, description=description,
                   constraints=Constraints(kind="string", required=required, pattern=pattern, enum=_ordered(enum)))

    @classmethod
    def number(
        cls,
        key: _K,
        *,
        description: str | None = None,
        required: bool | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> Attribute[float, _K]:
        """A number attribute within the inclusive integer bounds ``minimum``..``maximum``."""
        return Attribute(key=key, description=description,
                   constraints=Constraints(kind="number", required=required, minimum=minimum, maximum=maximum))

    @classmethod
    def boolean(cls, key: _K, *, description: str | None = None, required: bool | None = None) -> Attribute[bool, _K]:
        """A true/false attribute."""
        return Attribute(key=key, description=description, constraints=Constraints(kind="boolean", required=required))

    @classmethod
    def string_array(
        cls,
        key: _K,
        *,
        description: str | None = None,
        required: bool | None = None,
        pattern: str | None = None,
        enum: EnumValues | None = None,
    ) -> Attribute[Sequence[str], _K]:
        """A list of strings; ``pattern`` or ``enum`` applies to each element."""
        elements = Constraints(kind="string", pattern=pattern, enum=_ordered(enum))
        return Attribute(key=key, description=description,
                   constraints=Constraints(kind="array", required=required, elements=elements))

    @classmethod
    def number_array(
        cls,
        key: _K,
        *,
        description: str | None = None,
        required: bool | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> Attribute[Sequence[float], _K]:
        """A list of numbers; ``minimum``/``maximum`` apply to each element."""
        elements = Constraints(kind="number", minimum=minimum, maximum=maximum)
        return Attribute(key=key, description=description,
                   constraints=Constraints(kind="array", required=required, elements=elements))

    @classmethod
    def date(
        cls,
        key: _K,
        *,
        format: str = "YYYY-MM-DD",
        description: str | None = None,
        required: bool | None = None,
        end: bool = False,
    ) -> Attribute[str, _K]:
        """A date written as text in ``format``: ``YYYY-MM-DD`` (Default), ``MM/DD/YYYY``, ``DD/MM/YYYY`` or ``DD.MM.YYYY``.

        Renders a string attribute whose pattern fixes the format (AppConfig has no date type);
        a :class:`Profile` also refuses values that are not calendar dates (``02/31/2026``,
        rule ``value-date``). ``end=True``: the value is the last day of something (an offer); a
        date before ``today`` is reported as ``end-date-past``. Default: False.
        Raises :class:`FlagValidationError` (rule ``date-format``) for another ``format``.
        """
        fmt = DATE_FORMATS.get(format) if isinstance(format, str) else None
        if fmt is None:
            where = key if isinstance(key, str) else safe_repr(key)
            raise FlagValidationError([Problem(f"{where}/format", "date-format",
                                               f"a date format is one of {list(DATE_FORMATS)}", format)],
                                      subject=f"attribute {safe_repr(key)}")
        return Attribute(key=key, description=description, date_format=fmt.name, end_date=end,
                   constraints=Constraints(kind="string", required=required, pattern=fmt.pattern))


def _ordered(enum: Any) -> Any:
    """A list ``enum`` as a tuple (flags stay immutable); anything else is left for the type check to report."""
    return tuple(enum) if type(enum) is list else enum


def value_to_json(value: AttributeValue) -> Any:
    """An attribute value as JSON data (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def value_from_json(value: Any) -> AttributeValue:
    """An attribute value from JSON data (lists become tuples)."""
    return tuple(value) if isinstance(value, list) else value
