"""Short-term flag report: every flag marked for clean-up, its remove-by date, and where its key is used.

``appconfig-flags report`` imports the catalogue (:mod:`appconfig_flags.catalogue`), lists each flag
with a ``_deprecation`` (:class:`~appconfig_flags.model.ShortTerm`), says whether it is overdue, and
lists each ``path:line`` under the current directory where the flag's key, or a Python name the
catalogue binds to the flag (``ALLOW_BITCOIN_AT_CHECKOUT``), appears. Lines in tests are marked
``[test]``. Exit code 0; with ``--fail-overdue``, 1 when a flag is past its remove-by date.
Plain Python: no CDK.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType

from appconfig_flags.catalogue import CatalogueError, load_catalogue
from appconfig_flags.model import Flag, Profile

#: Directories that hold no code of ours: environments, dependencies, build output, caches.
EXCLUDED_DIRS = frozenset({
    ".venv", "node_modules", "cdk.out", ".git", ".tools", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".hypothesis", ".agent-local", "agent-local", "site", "dist", "build",
})
#: Files larger than this are data, not code.
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Place:
    """Where a key appears: a path relative to the searched root and a 1-based line number."""

    path: str
    line: int
    in_tests: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" + (" [test]" if self.in_tests else "")


@dataclass(frozen=True, slots=True)
class ShortTermFlag:
    """One flag marked for clean-up, with its remove-by date (``None``: not given) and its uses."""

    profile: str
    key: str
    remove_by: date | None
    overdue: bool
    places: tuple[Place, ...] = field(default=())

    def describe(self, today: date) -> str:
        if self.remove_by is None:
            when = "no remove-by date"
        elif self.overdue:
            when = f"remove by {self.remove_by}: OVERDUE by {(today - self.remove_by).days} day(s)"
        else:
            when = f"remove by {self.remove_by} (in {(self.remove_by - today).days} day(s))"
        return f"{self.profile} / {self.key}: {when}"


def short_term_flags(
    profiles: Iterable[Profile], *, root: Path, today: date, names: Mapping[str, Iterable[str]] | None = None
) -> list[ShortTermFlag]:
    """Every short-term flag of ``profiles``, with the places under ``root`` that name it.

    A flag is named by its key, or by one of ``names[key]`` (Python names bound to it). Default: keys only.
    """
    marked = [(profile.name, flag.key, flag.short_term.remove_by)
              for profile in profiles for flag in profile.short_term_flags() if flag.short_term is not None]
    places = find_keys({key for _, key, _ in marked}, root, names=names)
    out = []
    for profile, key, remove_by in marked:
        when = date.fromisoformat(remove_by) if remove_by is not None else None
        out.append(ShortTermFlag(profile, key, when, when is not None and today > when, tuple(places.get(key, ()))))
    return out


def find_keys(keys: set[str], root: Path, *, names: Mapping[str, Iterable[str]] | None = None) -> dict[str, list[Place]]:
    """Each key's places in the text files under ``root``, sorted by path.

    A place names the key, or one of ``names[key]``, as a whole word.
    """
    found: dict[str, list[Place]] = {key: [] for key in keys}
    terms = {key: key for key in keys}
    for key, aliases in (names or {}).items():
        if key in found:
            terms.update({alias: key for alias in aliases})
    if not terms:
        return found
    # A term is a whole word of key characters: "beta" does not match inside "beta-users".
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_-])({alternatives})(?![A-Za-z0-9_-])")
    for path in sorted(_files(root)):
        relative = path.relative_to(root).as_posix()
        in_tests = _is_test(relative)
        for number, line in enumerate(_text_lines(path), start=1):
            for key in sorted({terms[m.group(1)] for m in pattern.finditer(line)}):
                found[key].append(Place(relative, number, in_tests))
    return found


def _files(root: Path) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if not _excluded(d)]
        for name in files:
            yield Path(directory) / name


def _excluded(directory: str) -> bool:
    return directory in EXCLUDED_DIRS or directory.endswith(".egg-info") or re.fullmatch(r"cdk\..*\.out", directory) is not None


def _text_lines(path: Path) -> list[str]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    if b"\0" in data:
        return []  # binary
    return data.decode("utf-8", errors="replace").splitlines()


def _is_test(relative: str) -> bool:
    parts = relative.split("/")
    return "tests" in parts[:-1] or parts[-1].startswith("test_") or parts[-1].endswith("_test.py")


def format_report(flags: Sequence[ShortTermFlag], *, today: date) -> str:
    """The report as text: one paragraph per flag, its places indented below it."""
    if not flags:
        return f"No short-term flags (today is {today}).\n"
    overdue = sum(f.overdue for f in flags)
    lines = [f"{len(flags)} short-term flag(s), {overdue} overdue (today is {today}):"]
    for flag in flags:
        lines += ["", flag.describe(today)]
        lines += [f"  {place}" for place in flag.places] or ["  (the key appears nowhere in the code)"]
    return "\n".join(lines) + "\n"


def flag_names(modules: Iterable[ModuleType]) -> dict[str, set[str]]:
    """Python names ``modules`` (the catalogue's) bind to flags, by flag key."""
    out: dict[str, set[str]] = {}
    for module in modules:
        for attribute, value in vars(module).items():
            if isinstance(value, Flag):
                out.setdefault(value.key, set()).add(attribute)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("catalogue", nargs="?", default=None,
                        help="the catalogue. Default: pyproject.toml's [tool.appconfig-flags] catalogue")
    parser.add_argument("--root", type=Path, default=Path("."), help="where to look for keys. Default: .")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD. Default: today")
    parser.add_argument("--fail-overdue", action="store_true", help="exit 1 when a flag is past its remove-by date")


def run(args: argparse.Namespace) -> int:
    today: date = args.today or date.today()
    try:
        catalogue = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    flags = short_term_flags(catalogue.profiles, root=args.root.resolve(), today=today,
                             names=flag_names(catalogue.modules()))
    sys.stdout.write(format_report(flags, today=today))
    return 1 if args.fail_overdue and any(f.overdue for f in flags) else 0
