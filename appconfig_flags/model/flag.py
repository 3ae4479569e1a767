"""Typed feature flags: a definition, a default value, and per-environment overrides."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic

from ._typing import TypeVar
from .attributes import Attribute, AttributeValue, value_from_json, value_to_json
from .targeting.rule import Rule


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortTerm:
    """Marks a flag as temporary, to be removed: AppConfig's ``_deprecation`` (S1).

    ``remove_by`` is the planned clean-up date, ``YYYY-MM-DD``. Default: no date.
    """

    remove_by: str | None = None
    #: S1 allows only ``"planned"``; ``None`` omits the key (documents loaded as they are).
    status: str | None = "planned"

    def to_json(self) -> dict[str, Any]:
        """The flag definition's ``_deprecation`` object as JSON data."""
        out: dict[str, Any] = {}
        if self.status is not None:
            out["status"] = self.status
        if self.remove_by is not None:
            out["date"] = self.remove_by
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """One variant of a multi-variant flag (S1 ``_variants``). The last one is the default: no rule.

    ``rule`` is a :class:`~.targeting.Rule` (rendered as its canonical text) or rule text (kept
    exactly as written, so loaded documents render back unchanged); the profile checks either.
    """

    name: str
    enabled: bool
    rule: Rule | str | None = None
    values: Mapping[str, AttributeValue] = field(default_factory=dict)

    @property
    def rule_text(self) -> str | None:
        """The rule as the document carries it."""
        return str(self.rule) if isinstance(self.rule, Rule) else self.rule

    def to_json(self) -> dict[str, Any]:
        """This variant as JSON data (an entry of ``_variants``); empty ``attributeValues`` are left out."""
        out: dict[str, Any] = {"name": self.name, "enabled": self.enabled}
        if self.rule is not None:
            out["rule"] = self.rule_text
        if self.values:
            out["attributeValues"] = {k: value_to_json(v) for k, v in self.values.items()}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variant:
        """Build from a ``_variants`` entry that :func:`~.schema.check_document` has passed."""
        values = data.get("attributeValues", {})
        return cls(name=data["name"], enabled=data["enabled"], rule=data.get("rule"),
                   values={k: value_from_json(v) for k, v in values.items()})


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagValue:
    """A flag's value in one environment; ``None`` and absent keys inherit the flag's defaults.

    ``values`` are merged over the flag's default attribute values; ``variants`` replace them.
    """

    enabled: bool | None = None
    values: Mapping[str, AttributeValue] = field(default_factory=dict)
    variants: tuple[Variant, ...] | None = None


#: The keys of a flag's attributes, for type checkers: ``Flag[Literal["currency", "discount"]]`` may be read
#: with those attributes only (contravariant: a flag with more keys serves any subset). Default: ``Any``, no check.
K_contra = TypeVar("K_contra", bound=str, contravariant=True, default=Any)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag(Generic[K_contra]):
    """A feature flag: its definition (key, name, attributes), its default value, and overrides.

    ``enabled``/``values``/``variants`` are the value in every environment (Default: disabled,
    no attribute values); ``environments`` maps an environment name to a :class:`FlagValue`
    that changes some of them there. ``short_term`` marks a flag for clean-up.
    """

    key: str
    name: str | None = None
    description: str | None = None
    attributes: tuple[Attribute[Any, K_contra], ...] = ()
    short_term: ShortTerm | None = None
    enabled: bool | None = False
    values: Mapping[str, AttributeValue] = field(default_factory=dict)
    variants: tuple[Variant, ...] | None = None
    environments: Mapping[str, FlagValue] = field(default_factory=dict)
    #: ``_createdAt``/``_updatedAt`` of the definition and of the value, kept from loaded documents.
    metadata: Mapping[str, str] = field(default_factory=dict)
    value_metadata: Mapping[str, str] = field(default_factory=dict)
    #: False for a flag that a loaded document only names under ``values``. Default: True.
    defined: bool = True
    #: False for a flag that a loaded document defines but gives no ``values`` entry. Default: True.
    has_value: bool = True

    def attribute(self, key: str) -> Attribute | None:
        """The attribute named ``key``, or ``None``."""
        for attribute in self.attributes:
            if attribute.key == key:
                return attribute
        return None

    def value_in(self, environment: str | None = None) -> FlagValue:
        """The flag's value in ``environment`` (``None``: the default), overrides applied."""
        override = self.environments.get(environment) if environment is not None else None
        if override is None:
            # With variants, the flag's default enabled=False is no basic value: only _variants is rendered.
            enabled = None if self.variants is not None and self.enabled is False else self.enabled
            return FlagValue(enabled=enabled, values=self.values, variants=self.variants)
        if override.variants is not None:
            # Variants replace the basic value: AppConfig's documents never mix the two, and the
            # Agent ignores a basic value once a flag has variants. Only what the override says stays.
            return FlagValue(enabled=override.enabled, values=override.values, variants=override.variants)
        return FlagValue(
            enabled=self.enabled if override.enabled is None else override.enabled,
            values={**self.values, **override.values},
            variants=self.variants if override.variants is None else override.variants,
        )

    def definition_json(self) -> dict[str, Any]:
        """This flag's entry under the document's ``flags``."""
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        if self.description is not None:
            out["description"] = self.description
        if self.short_term is not None:
            out["_deprecation"] = self.short_term.to_json()
        if self.attributes:
            out["attributes"] = {a.key: a.to_json() for a in self.attributes}
        out.update(self.metadata)
        return out

    def value_json(self, environment: str | None = None) -> dict[str, Any]:
        """This flag's entry under the document's ``values`` in ``environment``."""
        value = self.value_in(environment)
        out: dict[str, Any] = {}
        if value.enabled is not None:
            out["enabled"] = value.enabled
        for key, attribute_value in value.values.items():
            out[key] = value_to_json(attribute_value)
        if value.variants is not None:
            out["_variants"] = [v.to_json() for v in value.variants]
        out.update(self.value_metadata)
        return out
