"""One flag as served (:class:`FlagData`), and how a retrieval-form entry becomes one.

The bottom of the client: sources, snapshots, the local evaluation of variants and experiments
all build on it, and it imports nothing of the client.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from appconfig_flags.model import AttributeValue

#: Content types a source accepts; AppConfig serves basic feature flags as JSON (AppConfig User Guide, "Retrieving basic and multi-variant feature flags").
JSON_CONTENT_TYPES = frozenset({"application/json"})

#: The agent adds ``_variant`` to an evaluated multi-variant flag (AppConfig User Guide, "Retrieving basic and multi-variant feature flags").
_VARIANT_KEY = "_variant"


@dataclass(frozen=True, slots=True)
class FlagData:
    """One flag as served: ``enabled``, its attribute values (arrays as tuples) and the agent's variant."""

    enabled: bool
    values: Mapping[str, AttributeValue] = field(default_factory=lambda: MappingProxyType({}))
    variant: str | None = None

    def to_json(self) -> dict[str, Any]:
        """This flag in retrieval form again (tuples back to lists)."""
        out: dict[str, Any] = {"enabled": self.enabled}
        out.update({k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()})
        if self.variant is not None:
            out[_VARIANT_KEY] = self.variant
        return out


def flag_data(key: str, entry: Any) -> FlagData | str:
    """One basic flag's retrieval-form entry as :class:`FlagData`, or the reason it cannot be read."""
    if not isinstance(entry, dict):
        return f"{key}: a flag is a JSON object, not {type(entry).__name__}"
    enabled = entry.get("enabled")
    if not isinstance(enabled, bool):
        return f"{key}/enabled: must be true or false (got {enabled!r})"
    variant = entry.get(_VARIANT_KEY)
    if variant is not None and not isinstance(variant, str):
        return f"{key}/{_VARIANT_KEY}: must be a string (got {variant!r})"
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k != "enabled" and not k.startswith("_")}
    return FlagData(enabled=enabled, values=MappingProxyType(values), variant=variant)


def media_type_of(content_type: str | None) -> str:
    """``application/json`` of ``application/json; charset=utf-8``; ``""`` for none."""
    return (content_type or "").split(";", 1)[0].strip().lower()
