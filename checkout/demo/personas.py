"""Who is visiting: a persona's request context, and which variant each targeted flag gave them and why."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from appconfig_flags.client import FlagsClient, FlagState, Resolution


@dataclass(frozen=True)
class Persona:
    """A visitor's request context: ``tier``, ``country`` and ``userId``; empty fields are left out."""

    label: str
    tier: str = ""
    country: str = ""
    user_id: str = ""

    @property
    def context(self) -> dict[str, str]:
        """The context the flags client receives (the profile declares these keys)."""
        pairs = {"tier": self.tier, "country": self.country, "userId": self.user_id}
        return {key: value for key, value in pairs.items() if value}


#: The personas the page offers as links; ``?persona=<key>``. "anonymous" sends no context.
PRESETS: Mapping[str, Persona] = {
    "anonymous": Persona("Anonymous visitor (no context)"),
    "ana": Persona("Ana: standard tier, US", tier="standard", country="US", user_id="user-1001"),
    "grace": Persona("Grace: gold tier, GB", tier="gold", country="GB", user_id="user-2042"),
    "sam": Persona("Sam: standard tier, CA, in Beta's 20% layout rollout", tier="standard", country="CA",
                   user_id="user-1004"),
}

#: The tiers the form offers.
TIERS = ("standard", "silver", "gold")


def persona_from_query(query: Mapping[str, list[str]]) -> Persona:
    """``?persona=grace``, or a form's ``tier``/``country``/``userId``; the anonymous visitor otherwise."""
    preset = query.get("persona", [""])[0]
    if preset in PRESETS:
        return PRESETS[preset]
    fields = {name: query.get(name, [""])[0].strip() for name in ("tier", "country", "userId")}
    if not any(fields.values()):
        return PRESETS["anonymous"]
    return Persona("Custom visitor", tier=fields["tier"], country=fields["country"], user_id=fields["userId"])


@dataclass(frozen=True)
class Choice:
    """Which variant a flag served a persona, and why, in words."""

    flag_key: str
    variant: str
    why: str


def explain(client: FlagsClient, state: FlagState) -> Choice:
    """Why ``state`` (read for some context) is what it is: the rule that matched, or the default."""
    key = state.flag.key
    if state.resolution is not Resolution.SERVED:
        reason = f": {state.error}" if state.error else ""
        return Choice(key, state.variant or "(none)", f"{state.resolution.value}{reason}")
    if state.variant is None:
        return Choice(key, "(basic flag)", "no variants: the same value for everyone")
    snapshot = client.snapshot
    targeting = snapshot.targeting.get(key) if snapshot is not None else None
    if targeting is None:
        return Choice(key, state.variant, "chosen by the AppConfig Agent (its rules are not known here)")
    rule = targeting.rule_of(state.variant)
    if rule is None:
        return Choice(key, state.variant, "default: no rule matched")
    return Choice(key, state.variant, f"rule {rule} matched")
