"""Flag values straight from the catalogue: no AWS account, no network (the demo's default)."""
from __future__ import annotations

from appconfig_flags.model import Profile

from .snapshot import UNCHANGED, Snapshot, Unchanged
from .targeting import snapshot_from_profile


class LocalSource:
    """The retrieval form of ``profile`` in ``environment``, as AppConfig would serve it.

    Multi-variant flags are compiled once and evaluated in memory for each read with a context
    (:mod:`.targeting`), with AppConfig Agent's semantics; a read without context gets what the Agent
    answers without a ``Context`` header.

    The first fetch returns it; later fetches return :data:`UNCHANGED`. ``poll_interval`` only
    keeps the poller quiet (Default: one hour).
    """

    def __init__(self, profile: Profile, environment: str | None, *, poll_interval: float = 3600.0) -> None:
        known = profile.environments
        if environment is not None and known is not None and environment not in known:
            raise ValueError(f"profile {profile.name!r} has no environment {environment!r}; it has {list(known)}")
        self.name = f"local:{profile.name}@{environment or 'default'}"
        self._profile = profile
        self._environment = environment
        self._poll_interval = poll_interval
        self._delivered = False

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    def fetch(self) -> Snapshot | Unchanged:
        if self._delivered:
            return UNCHANGED
        snapshot = snapshot_from_profile(self._profile, self._environment, version_label=self.name)
        self._delivered = True
        return snapshot

    def reset(self) -> None:
        """Nothing to forget: the values are in memory."""

    def close(self) -> None:
        """Nothing to release."""
