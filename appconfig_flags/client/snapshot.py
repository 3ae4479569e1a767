"""What a source delivers: an immutable snapshot of flag values in retrieval form, or "unchanged"."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from appconfig_flags.model import AttributeValue

from .errors import ErrorKind, SourceError, UnsupportedContentError

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

    ``targeting`` holds the multi-variant flags this process evaluates itself (local sources:
    :mod:`.targeting`); their entry in ``flags`` is the answer without context. Default: none (the
    Agent evaluates variants; AppConfig's data plane serves them only in Ion, refused here).
    ``experiments`` holds, by flag key, the experiment runs a local source simulates (:mod:`.experiments`;
    not AppConfig's bucketing). Default: none (the Agent assigns treatments itself).
    """

    flags: Mapping[str, FlagData]
    version_label: str | None = None
    targeting: Mapping[str, FlagTargeting] = field(default_factory=lambda: MappingProxyType({}))
    experiments: Mapping[str, SimulatedExperiment] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_retrieval_form(cls, data: Any, *, version_label: str | None = None) -> Snapshot:
        """A snapshot of ``{flag: {"enabled": bool, attribute: value...}}``.

        Raises :class:`SourceError` (``InvalidContent``) naming every shape problem found; attribute
        values are checked against the flag definitions later, by the client's catalogue.
        """
        problems: list[str] = []
        flags: dict[str, FlagData] = {}
        if not isinstance(data, dict):
            raise _invalid([f"the content is a JSON object of flags, not {type(data).__name__}"], version_label)
        for key, entry in data.items():
            if not isinstance(entry, dict):
                problems.append(f"{key}: a flag is a JSON object, not {type(entry).__name__}")
                continue
            enabled = entry.get("enabled")
            if not isinstance(enabled, bool):
                problems.append(f"{key}/enabled: must be true or false (got {enabled!r})")
                continue
            variant = entry.get(_VARIANT_KEY)
            if variant is not None and not isinstance(variant, str):
                problems.append(f"{key}/{_VARIANT_KEY}: must be a string (got {variant!r})")
                continue
            values = {k: tuple(v) if isinstance(v, list) else v
                      for k, v in entry.items() if k != "enabled" and not k.startswith("_")}
            flags[key] = FlagData(enabled=enabled, values=MappingProxyType(values), variant=variant)
        if problems:
            raise _invalid(problems, version_label)
        return cls(flags=MappingProxyType(flags), version_label=version_label)

    @classmethod
    def parse(cls, body: bytes, *, content_type: str | None, version_label: str | None = None) -> Snapshot:
        """A snapshot of a non-empty response body; non-JSON content or bad JSON raises :class:`SourceError`."""
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type not in JSON_CONTENT_TYPES:
            raise UnsupportedContentError(content_type, version_label=version_label)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError("MalformedJSON", f"the content is not valid JSON: {exc}",
                              kind=ErrorKind.CONTENT, version_label=version_label) from None
        return cls.from_retrieval_form(data, version_label=version_label)

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The snapshot in retrieval form."""
        return {key: data.to_json() for key, data in self.flags.items()}


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A successful fetch that found nothing new (AppConfig's empty ``Configuration``)."""


#: The one :class:`Unchanged` value sources return.
UNCHANGED = Unchanged()


def _invalid(problems: list[str], version_label: str | None) -> SourceError:
    return SourceError("InvalidContent", "; ".join(problems), kind=ErrorKind.CONTENT, version_label=version_label)
