"""The retrieval form: what AppConfig's data plane and Agent return for a feature-flag profile.

``{flag: {"enabled": bool, attribute: value...}}``; definitions are stripped and a disabled flag
carries no attributes (S1 "Retrieving feature flags"). Multi-variant flags are
evaluated by the Agent, so here they resolve to their default (last) variant.
"""
from __future__ import annotations

from typing import Any

from .attributes import value_to_json
from .profile import Profile


def retrieval_form(profile: Profile, environment: str | None = None) -> dict[str, dict[str, Any]]:
    """The flags of ``profile`` in ``environment`` as a client receives them."""
    out: dict[str, dict[str, Any]] = {}
    for flag in profile.flags:
        if not flag.has_value:
            continue
        value = flag.value_in(environment)
        if value.variants:
            default = value.variants[-1]
            enabled, values = default.enabled, default.values
        else:
            enabled, values = bool(value.enabled), value.values
        entry: dict[str, Any] = {"enabled": enabled}
        if enabled:
            entry.update({k: value_to_json(v) for k, v in values.items()})
        out[flag.key] = entry
    return out
