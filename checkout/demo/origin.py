"""Where the page's flag values come from, in plain words, for its footer."""
from __future__ import annotations

import time

from appconfig_flags.client import CatalogueFileSource, FlagSource, LocalSource, Status, WatchedFileSource


def ago(seconds: float) -> str:
    """``3 s ago``, ``2 min ago``, ``1 h ago``."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def describe_origin(source: FlagSource, status: Status, *, now: float | None = None) -> str:
    """``Flags from flags/checkout.py (Beta), reloaded 3 s ago``, and what is wrong with the last edit, if anything."""
    now = time.time() if now is None else now
    if isinstance(source, (CatalogueFileSource, WatchedFileSource)):
        reload = source.last_reload
        where = f" ({source.environment})" if isinstance(source, CatalogueFileSource) else ""
        if reload is None:
            text = f"No flags loaded yet from {source.name}{where}: the page uses the flag's declared default"
        else:
            text = f"Flags from {reload.origin}{where}, reloaded {ago(now - reload.loaded_at)}"
        if source.problem:
            text += f". The last edit does not load, so the values from before it stay: {source.problem}"
        return text
    if isinstance(source, LocalSource):
        return f"Flags from the catalogue as it was when the demo started ({source.name}); restart to see edits"
    if status.last_success is None:
        return f"No flags loaded yet from {status.source}: the page uses the flag's declared default"
    version = f", version {status.version_label}" if status.version_label else ""
    return f"Flags from {status.source}{version}, checked {ago(now - status.last_success)}"
