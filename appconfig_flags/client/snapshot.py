"""What a source delivers: an immutable snapshot of flag values in retrieval form, or "unchanged"."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import ErrorKind, SourceError
from .flag_data import JSON_CONTENT_TYPES, FlagData, flag_data, media_type_of

if TYPE_CHECKING:
    from .experiments import SimulatedExperiment
    from .flag_targeting import FlagTargeting

__all__ = ["JSON_CONTENT_TYPES", "UNCHANGED", "FlagData", "Snapshot", "Unchanged", "flag_data", "media_type_of"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every flag of one configuration version, read-only. ``version_label`` is ``None`` when not given.

    ``targeting`` holds the multi-variant flags this process evaluates itself (:mod:`.flag_targeting`);
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


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A successful fetch that found nothing new (AppConfig's empty ``Configuration``)."""


#: The one :class:`Unchanged` value sources return.
UNCHANGED = Unchanged()
