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
    def entity_id(self) -> str | None:
        """The ``Entity-Id`` an experiment assigns by: the user id (the demo's ids are not personal data)."""
        return self.user_id or None

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
    # Beta's experiment (US users, 50% exposure): the local sources' simulated assignment puts Lee in the
    # 10% treatment and Mia in the control; Ana, US too, is not exposed.
    "lee": Persona("Lee: standard tier, US, in Beta's discount experiment (treatment t1: 10%)", tier="standard",
                   country="US", user_id="user-1002"),
    "mia": Persona("Mia: standard tier, US, in Beta's discount experiment (control: 5%)", tier="standard",
                   country="US", user_id="user-1012"),
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
    if state.treatment is not None:
        snapshot = client.snapshot
        experiment = snapshot.experiments.get(key) if snapshot is not None else None
        if experiment is None:
            return Choice(key, f"treatment {state.treatment}", "assigned by the AppConfig Agent's experiment run")
        return Choice(key, f"treatment {state.treatment}", f"experiment {experiment.name}: in its audience "
                      f"{experiment.audience} and its {experiment.exposure:f}% exposure (simulated here, not "
                      "AppConfig's bucketing)")
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
