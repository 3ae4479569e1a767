"""Semantic diff of feature-flag documents: what changes, for which environment, one line per change.

The documents compared are the JSON data of ``AWS.AppConfig.FeatureFlags`` configurations (what
``Profile.document(env)`` produces and what AppConfig stores; see the AWS AppConfig User Guide,
"Type reference for AWS.AppConfig.FeatureFlags"). Each environment's document already holds the
effective values (the flag's defaults with that environment's overrides applied), so a change that
reaches two environments shows once per environment: each gets a new version and a deployment.

Line shapes (``str(change)``)::

    Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: 5 → 10     an attribute value
    Production/allow-bitcoin-at-checkout: enabled false → true               a flag property
    Beta/allow-bitcoin-at-checkout/default-currency: constraint enum [...] → [...]
    Beta/allow-bitcoin-at-checkout[beta-testers]: rule "..." → "..."        a variant (in brackets)
    + Beta/new-flag (enabled)                                                added
    - Production/old-flag                                                    removed

Values are written as JSON (strings quoted, ``true``/``false``); ``(unset)`` means absent. With
more than one profile in either catalogue, places read ``Profile@Environment`` as in the model's
error paths (``CheckoutFlags@Beta/...``); with one profile the profile name is left out.
Bookkeeping keys AppConfig adds (``_createdAt``, ``_updatedAt``) are not changes of behaviour and are
ignored.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

K = TypeVar("K")

#: What a change did.
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
#: What a change is about.
PROFILE, ENVIRONMENT, FLAG, ATTRIBUTE, VARIANT = "profile", "environment", "flag", "attribute", "variant"
#: ``field`` of a change of an attribute's value (the line has no field word).
VALUE = "value"
#: How the profile-less default document is named (a profile that declares no environments).
DEFAULT_ENVIRONMENT = "(default)"
FORMATS = ("text", "markdown", "json")

#: A catalogue: profile name → environment name (``None``: the default document) → document.
Catalogue = Mapping[str, Mapping["str | None", Mapping[str, Any]]]


class _Missing:
    """A key that is absent on one side of a change (JSON ``null``, text ``(unset)``); one instance."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagChange:
    """One change. ``str(change)`` is its text line, :meth:`to_json` the same facts as JSON data.

    ``kind`` is ``added``, ``removed`` or ``changed``; ``subject`` what the path points at
    (``profile``, ``environment``, ``flag``, ``attribute``, ``variant``); ``field`` the property that
    changed (``enabled``, ``value``, ``name``, ``description``, ``short-term``, ``constraint <key>``,
    ``rule``, ``variant order``); ``before``/``after`` the JSON values (:data:`MISSING`: absent);
    ``detail`` a short summary of what was added or removed. ``qualified`` writes the profile
    into the place (``Profile@Env``).
    """

    kind: str
    subject: str
    profile: str
    environment: str | None
    flag: str | None = None
    attribute: str | None = None
    variant: str | None = None
    field: str | None = None
    before: Any = MISSING
    after: Any = MISSING
    detail: str | None = None
    qualified: bool = False

    @property
    def place(self) -> str:
        """``Beta``, or ``CheckoutFlags@Beta`` when qualified."""
        environment = self.environment if self.environment is not None else DEFAULT_ENVIRONMENT
        return f"{self.profile}@{environment}" if self.qualified else environment

    def path(self, *, with_place: bool = True) -> str:
        """``Beta/flag[variant]/attribute`` (the parts that apply)."""
        parts = [self.place] if with_place else []
        if self.flag is not None:
            parts.append(self.flag + (f"[{self.variant}]" if self.variant is not None else ""))
        if self.attribute is not None:
            parts.append(self.attribute)
        return "/".join(parts)

    def __str__(self) -> str:
        if self.subject == PROFILE:
            sign = "+" if self.kind == ADDED else "-"
            return f"{sign} profile {self.profile}" + (f" ({self.detail})" if self.detail else "")
        path = self.path()
        if self.kind in (ADDED, REMOVED):
            sign = "+" if self.kind == ADDED else "-"
            detail = ", ".join(p for p in ("environment" if self.subject == ENVIRONMENT else None, self.detail) if p)
            return f"{sign} {path}" + (f" ({detail})" if detail else "")
        return f"{path}: {self._change_text(lambda text: text)}"

    def markdown(self) -> str:
        """The change as a Markdown list item, without the place (the caller groups by place)."""
        if self.subject in (PROFILE, ENVIRONMENT):
            what = f"{self.subject} {self.kind}"
            return f"- **{what}**" + (f" ({self.detail})" if self.detail else "")
        path = _code(self.path(with_place=False))
        if self.kind in (ADDED, REMOVED):
            return f"- **{self.kind}** {path}" + (f" ({self.detail})" if self.detail else "")
        return f"- {path}: {self._change_text(_code)}"

    def _change_text(self, show: Callable[[str], str]) -> str:
        shown = _SHOWN.get(self.field or "", _json_text)
        change = f"{show(shown(self.before))} → {show(shown(self.after))}"
        return change if self.field == VALUE else f"{self.field} {change}"

    def to_json(self) -> dict[str, Any]:
        """The change as JSON data: every field (``null`` for absent values) and ``text``, the line."""
        return {
            "change": self.kind, "subject": self.subject, "profile": self.profile, "environment": self.environment,
            "flag": self.flag, "attribute": self.attribute, "variant": self.variant, "field": self.field,
            "before": None if self.before is MISSING else self.before,
            "after": None if self.after is MISSING else self.after,
            "detail": self.detail, "text": str(self),
        }


def _json_text(value: Any) -> str:
    return "(unset)" if value is MISSING else json.dumps(value, ensure_ascii=False)


def _short_term_text(value: Any) -> str:
    if not isinstance(value, Mapping):
        return _json_text(value)
    parts = [f"remove by {value['date']}"] if "date" in value else []
    if value.get("status", "planned") != "planned" or not parts:
        parts.append(f"status {_json_text(value.get('status', MISSING))}")
    return ", ".join(parts)


def _names_text(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) and value else "(none)"


_SHOWN: dict[str, Callable[[Any], str]] = {"short-term": _short_term_text, "variant order": _names_text}


def _code(text: str) -> str:
    """``text`` as Markdown inline code, with a fence longer than any backtick run inside."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# -- documents ----------------------------------------------------------------------------------------
def diff_documents(profile: str, environment: str | None, before: Mapping[str, Any] | None,
                   after: Mapping[str, Any] | None, *, qualified: bool = False) -> list[FlagChange]:
    """The changes from ``before`` to ``after``, two documents of ``profile`` in ``environment``.

    ``None`` stands for no document (nothing deployed yet, or the environment is gone): every flag
    of the other side is then added (or removed). ``qualified`` writes ``Profile@Env`` places.
    """
    context = _Context(profile=profile, environment=environment, qualified=qualified)
    before_flags, before_values = _sections(before)
    after_flags, after_values = _sections(after)
    keys = _union(after_flags, after_values, before_flags, before_values)
    changes: list[FlagChange] = []
    for key in keys:
        was = key in before_flags or key in before_values
        now = key in after_flags or key in after_values
        if now and not was:
            changes.append(context.change(ADDED, FLAG, flag=key, after=after_values.get(key, MISSING),
                                          detail=_value_summary(after_values.get(key))))
        elif was and not now:
            changes.append(context.change(REMOVED, FLAG, flag=key, before=before_values.get(key, MISSING)))
        else:
            changes += _diff_flag(context, key, before_flags.get(key, {}), after_flags.get(key, {}),
                                  before_values.get(key), after_values.get(key))
    return changes


@dataclass(frozen=True, slots=True)
class _Context:
    profile: str
    environment: str | None
    qualified: bool

    def change(self, kind: str, subject: str, **fields: Any) -> FlagChange:
        return FlagChange(kind=kind, subject=subject, profile=self.profile, environment=self.environment,
                          qualified=self.qualified, **fields)


def _sections(document: Mapping[str, Any] | None) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if document is None:
        return {}, {}
    flags, values = document.get("flags", {}), document.get("values", {})
    return (flags if isinstance(flags, Mapping) else {}), (values if isinstance(values, Mapping) else {})


def _union(*mappings: Iterable[K]) -> list[K]:
    seen: dict[K, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def _value_summary(value: Any) -> str:
    """``enabled``, ``disabled``, ``variants a, b``, or ``no value`` for a flag's value entry."""
    if not isinstance(value, Mapping):
        return "no value"
    variants = value.get("_variants")
    if isinstance(variants, list) and variants:
        return "variants " + ", ".join(str(v.get("name")) for v in variants if isinstance(v, Mapping))
    enabled = value.get("enabled")
    return "enabled" if enabled is True else "disabled" if enabled is False else "no value"


def _differs(old: Any, new: Any) -> bool:
    """JSON inequality: ``true`` is not ``1`` (Python's ``True == 1``), ``5`` is ``5.0``."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is not type(new) or old != new
    if isinstance(old, list) and isinstance(new, list):
        return len(old) != len(new) or any(_differs(a, b) for a, b in zip(old, new))
    return bool(old != new)


def _diff_flag(context: _Context, key: str, before_def: Mapping[str, Any], after_def: Mapping[str, Any],
               before_value: Mapping[str, Any] | None, after_value: Mapping[str, Any] | None) -> list[FlagChange]:
    changes: list[FlagChange] = []
    was, now = before_value or {}, after_value or {}

    def changed(field: str, old: Any, new: Any, **where: Any) -> None:
        if _differs(old, new):
            changes.append(context.change(CHANGED, where.pop("subject", FLAG), flag=key, field=field, before=old,
                                          after=new, **where))

    changed("enabled", was.get("enabled", MISSING), now.get("enabled", MISSING))
    for attribute in _union(was, now):
        if attribute == "enabled" or attribute.startswith("_"):
            continue
        changed(VALUE, was.get(attribute, MISSING), now.get(attribute, MISSING), subject=ATTRIBUTE,
                attribute=attribute)
    changes += _diff_variants(context, key, was.get("_variants"), now.get("_variants"))
    for field in ("name", "description"):
        changed(field, before_def.get(field, MISSING), after_def.get(field, MISSING))
    changed("short-term", before_def.get("_deprecation", MISSING), after_def.get("_deprecation", MISSING))
    changes += _diff_attribute_definitions(context, key, before_def.get("attributes") or {},
                                           after_def.get("attributes") or {})
    return changes


def _diff_attribute_definitions(context: _Context, key: str, before: Mapping[str, Any],
                                after: Mapping[str, Any]) -> list[FlagChange]:
    changes: list[FlagChange] = []
    for attribute in _union(after, before):
        if attribute not in before:
            changes.append(context.change(ADDED, ATTRIBUTE, flag=key, attribute=attribute, after=after[attribute],
                                          detail=_attribute_summary(after[attribute])))
        elif attribute not in after:
            changes.append(context.change(REMOVED, ATTRIBUTE, flag=key, attribute=attribute,
                                          before=before[attribute], detail="attribute"))
        else:
            old, new = before[attribute] or {}, after[attribute] or {}
            if _differs(old.get("description", MISSING), new.get("description", MISSING)):
                changes.append(context.change(CHANGED, ATTRIBUTE, flag=key, attribute=attribute, field="description",
                                              before=old.get("description", MISSING),
                                              after=new.get("description", MISSING)))
            old_c, new_c = old.get("constraints") or {}, new.get("constraints") or {}
            for name in _union(old_c, new_c):
                if _differs(old_c.get(name, MISSING), new_c.get(name, MISSING)):
                    changes.append(context.change(CHANGED, ATTRIBUTE, flag=key, attribute=attribute,
                                                  field=f"constraint {name}", before=old_c.get(name, MISSING),
                                                  after=new_c.get(name, MISSING)))
    return changes


def _attribute_summary(definition: Any) -> str:
    """``attribute, number, minimum 0, maximum 100``: the new attribute's constraints in brief."""
    constraints = definition.get("constraints") if isinstance(definition, Mapping) else None
    if not isinstance(constraints, Mapping):
        return "attribute"
    parts = ["attribute", str(constraints.get("type", "?"))]
    parts += [f"{name} {_json_text(value)}" for name, value in constraints.items() if name != "type"]
    return ", ".join(parts)


def _diff_variants(context: _Context, key: str, before: Any, after: Any) -> list[FlagChange]:
    old = {v["name"]: v for v in before or () if isinstance(v, Mapping) and "name" in v}
    new = {v["name"]: v for v in after or () if isinstance(v, Mapping) and "name" in v}
    changes: list[FlagChange] = []
    for name in _union(new, old):
        if name not in old:
            changes.append(context.change(ADDED, VARIANT, flag=key, variant=name, after=new[name],
                                          detail=_variant_summary(new[name])))
        elif name not in new:
            changes.append(context.change(REMOVED, VARIANT, flag=key, variant=name, before=old[name],
                                          detail="variant"))
        else:
            was, now = old[name], new[name]
            for field in ("rule", "enabled"):
                if _differs(was.get(field, MISSING), now.get(field, MISSING)):
                    changes.append(context.change(CHANGED, VARIANT, flag=key, variant=name, field=field,
                                                  before=was.get(field, MISSING), after=now.get(field, MISSING)))
            old_values, new_values = was.get("attributeValues") or {}, now.get("attributeValues") or {}
            for attribute in _union(old_values, new_values):
                if _differs(old_values.get(attribute, MISSING), new_values.get(attribute, MISSING)):
                    changes.append(context.change(CHANGED, ATTRIBUTE, flag=key, variant=name, attribute=attribute,
                                                  field=VALUE, before=old_values.get(attribute, MISSING),
                                                  after=new_values.get(attribute, MISSING)))
    # Variants are evaluated in order, first matching rule wins: a new order is a change of behaviour.
    kept_before = [n for n in old if n in new]
    kept_after = [n for n in new if n in old]
    if kept_before != kept_after:
        changes.append(context.change(CHANGED, FLAG, flag=key, field="variant order", before=list(old),
                                      after=list(new)))
    return changes


def _variant_summary(variant: Mapping[str, Any]) -> str:
    parts = ["variant", "enabled" if variant.get("enabled") is True else "disabled"]
    parts.append(f"rule {_json_text(variant['rule'])}" if "rule" in variant else "default")
    values = variant.get("attributeValues") or {}
    parts += [f"{name} {_json_text(value)}" for name, value in values.items()]
    return ", ".join(parts)


# -- catalogues ---------------------------------------------------------------------------------------
def environment_sort_key(order: Sequence[str] = ()) -> Callable[[str | None], tuple[int, int, str]]:
    """Sorts environments as ``order`` lists them, then Production, then the others alphabetically."""
    rank = {name: index for index, name in enumerate(order)}

    def key(environment: str | None) -> tuple[int, int, str]:
        name = environment if environment is not None else ""
        if name in rank:
            return (0, rank[name], name)
        return (1, 0 if name == "Production" else 1, name)

    return key


def diff_catalogues(before: Catalogue, after: Catalogue, *, environment_order: Sequence[str] = (),
                    qualified: bool | None = None) -> list[FlagChange]:
    """Every change from ``before`` to ``after`` (profile → environment → document), grouped by environment.

    Environments come in ``environment_order`` (Default: Production first, then alphabetical);
    profiles added or removed come first. ``qualified`` writes ``Profile@Env`` places (Default:
    only when the two catalogues hold more than one profile between them).
    """
    if qualified is None:
        qualified = len(set(before) | set(after)) > 1
    profile_lines: list[FlagChange] = []
    by_place: list[tuple[str | None, list[FlagChange]]] = []
    for profile in _union(after, before):
        if profile not in before:
            environments = list(after[profile])
            names = ", ".join(e if e is not None else DEFAULT_ENVIRONMENT for e in environments)
            profile_lines.append(FlagChange(kind=ADDED, subject=PROFILE, profile=profile, environment=None,
                                            detail=f"environments {names}", qualified=qualified))
            by_place += [(env, diff_documents(profile, env, None, after[profile][env], qualified=qualified))
                         for env in environments]
            continue
        if profile not in after:
            profile_lines.append(FlagChange(kind=REMOVED, subject=PROFILE, profile=profile, environment=None,
                                            qualified=qualified))
            continue
        for env in _union(after[profile], before[profile]):
            old, new = before[profile].get(env), after[profile].get(env)
            changes: list[FlagChange] = []
            if old is None and new is not None:
                count = len(_union(*_sections(new)))
                changes.append(FlagChange(kind=ADDED, subject=ENVIRONMENT, profile=profile, environment=env,
                                          detail=f"{count} flag{'s' if count != 1 else ''}",
                                          qualified=qualified))
                changes += diff_documents(profile, env, None, new, qualified=qualified)
            elif new is None:
                changes.append(FlagChange(kind=REMOVED, subject=ENVIRONMENT, profile=profile, environment=env,
                                          qualified=qualified))
            else:
                changes += diff_documents(profile, env, old, new, qualified=qualified)
            by_place.append((env, changes))
    sort_key = environment_sort_key(environment_order)
    by_place.sort(key=lambda item: sort_key(item[0]))  # stable: profiles keep their order per environment
    return profile_lines + [change for _, changes in by_place for change in changes]


# -- output -------------------------------------------------------------------------------------------
NO_CHANGES = "no flag changes"


def format_changes(changes: Sequence[FlagChange], output: str = "text", *, title: str = "Flag changes") -> str:
    """``changes`` as ``text`` (one line each), ``markdown`` (grouped by place) or ``json`` (a list)."""
    if output == "json":
        return json.dumps([change.to_json() for change in changes], indent=2, ensure_ascii=False)
    if output == "markdown":
        return _markdown(changes, title)
    if output != "text":
        raise ValueError(f"unknown format {output!r}; choose one of {', '.join(FORMATS)}")
    return "\n".join(str(change) for change in changes) if changes else NO_CHANGES


def _markdown(changes: Sequence[FlagChange], title: str) -> str:
    if not changes:
        return f"### {title}\n\nNo flag changes."
    lines = [f"### {title} ({len(changes)})"]
    current: str | None = None
    for change in changes:
        group = "Profiles" if change.subject == PROFILE else change.place
        if group != current:
            lines += ["", f"**{group}**", ""]
            current = group
        lines.append(f"- **{change.kind}** profile {_code(change.profile)}"
                     + (f" ({change.detail})" if change.detail else "") if change.subject == PROFILE
                     else change.markdown())
    return "\n".join(lines)
