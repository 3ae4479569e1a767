"""What a source delivers: an immutable snapshot of flag values in retrieval form, or "unchanged"."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from appconfig_flags.model import AttributeValue

from .errors import ErrorKind, SourceError

if TYPE_CHECKING:
    from .experiments import SimulatedExperiment
    from .targeting import FlagTargeting

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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every flag of one configuration version, read-only. ``version_label`` is ``None`` when not given.

    ``targeting`` holds the multi-variant flags this process evaluates itself (:mod:`.targeting`);
    their entry in ``flags`` is the answer without context. Default: none.
    ``unreadable`` names each flag of the version that could not be read, with the reason: reads of
    it get its declared default (or the client's last good value of it), the other flags are served.
    Default: none.
    ``experiments`` holds, by flag key, the experiment runs a local source simulates (:mod:`.experiments`;
    not AppConfig's bucketing). Default: none (the Agent assigns treatments itself).
    """

    flags: Mapping[str, FlagData]
    version_label: str | None = None
    targeting: Mapping[str, FlagTargeting] = field(default_factory=lambda: MappingProxyType({}))
    unreadable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    experiments: Mapping[str, SimulatedExperiment] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_retrieval_form(cls, data: Any, *, version_label: str | None = None) -> Snapshot:
        """A snapshot of ``{flag: {"enabled": bool, attribute: value...}}``.

        A flag whose entry has the wrong shape goes to :attr:`unreadable` with the reason; only content
        that is not a JSON object of flags raises :class:`SourceError` (``InvalidContent``). Attribute
        values are checked against the flag definitions later, by the client's catalogue.
        """
        if not isinstance(data, dict):
            raise SourceError("InvalidContent", f"the content is a JSON object of flags, not {type(data).__name__}",
                              kind=ErrorKind.CONTENT, version_label=version_label)
        flags: dict[str, FlagData] = {}
        unreadable: dict[str, str] = {}
        for key, entry in data.items():
            read = flag_data(key, entry)
            if isinstance(read, str):
                unreadable[key] = read
            else:
                flags[key] = read
        return cls(flags=MappingProxyType(flags), version_label=version_label,
                   unreadable=MappingProxyType(unreadable))

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The snapshot in retrieval form."""
        return {key: data.to_json() for key, data in self.flags.items()}


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


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A successful fetch that found nothing new (AppConfig's empty ``Configuration``)."""


#: The one :class:`Unchanged` value sources return.
UNCHANGED = Unchanged()
