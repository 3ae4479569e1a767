"""Reading and writing ``AWS.AppConfig.FeatureFlags`` JSON text."""
from __future__ import annotations

import json
from typing import Any

from .problems import FlagValidationError, Problem


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python's json keeps the last of two equal keys; AppConfig's keys must be unique (S2).
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_json(text: str | bytes, *, subject: str) -> Any:
    """JSON text as data; invalid JSON or a repeated key raises :class:`FlagValidationError`."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise FlagValidationError([Problem(subject, "duplicate-key", "a key appears twice in one JSON object", exc.args[0])], subject=subject) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FlagValidationError([Problem(subject, "json", f"not valid JSON: {exc}", None)], subject=subject) from None


def dump_json(data: Any) -> str:
    """Compact JSON as deployed (the size AppConfig counts), non-ASCII kept as is."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
