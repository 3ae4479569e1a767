"""The flag catalogue: where it is, importing it, and its profiles. The one loader every command uses.

A catalogue is Python code holding :class:`~appconfig_flags.model.Profile` objects: a module name
(``flags``), a ``.py`` file (``ops/flags.py``) or a package folder (``flags/``). ``appconfig-flags``
finds it from ``--catalogue X``, else from ``catalogue = "X"`` in the ``[tool.appconfig-flags]``
table of the nearest ``pyproject.toml`` (this folder or a parent), as ruff, mypy and pytest find their
settings; a relative X is read from the folder holding that file. Its profiles are ``PROFILES`` when
the module defines it, else every ``Profile`` the module holds, in order. Importing it builds every
profile, which validates every document: a bad flag is a :class:`CatalogueError` listing each problem.

Standard library only: ``appconfig-flags diff`` and the file watcher load this file by path in a
child Python that imports a catalogue from another git ref (with that ref's flag model).
"""
from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appconfig_flags.model import Profile

#: The pyproject.toml table that names the catalogue: ``[tool.appconfig-flags] catalogue = "flags"``.
PYPROJECT_TABLE = "appconfig-flags"


class CatalogueError(Exception):
    """The catalogue cannot be found, imported or read. ``lines``: the message, one line per problem."""

    def __init__(self, message: str, problems: Sequence[str] = (), *, reason: str | None = None) -> None:
        self.problems = tuple(problems)
        #: The cause alone, without the catalogue's name (``Type: message (file:line)``), where there is one.
        self.reason = reason
        self.lines = (message, *(f"  - {p}" for p in self.problems))
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class CatalogueLocation:
    """Where the catalogue is: ``target`` as written, read from ``base``; ``origin`` says who named it."""

    target: str
    base: Path
    origin: str

    @property
    def is_path(self) -> bool:
        """A file or folder (``x.py``, ``dir/``, ``a/b``), not a dotted module name."""
        return self.target.endswith(".py") or "/" in self.target or os.sep in self.target

    def import_root_and_module(self) -> tuple[Path, str]:
        """The folder to put on ``sys.path`` and the module name to import from it."""
        if not self.is_path:
            return self.base, self.target
        path = (self.base / self.target).resolve()
        if path.is_file() and path.suffix == ".py":
            return path.parent, path.stem
        if path.is_dir() and (path / "__init__.py").is_file():
            return path.parent, path.name
        what = "no such file or folder" if not path.exists() else \
            "a folder without __init__.py" if path.is_dir() else "not a .py file"
        raise CatalogueError(f"the catalogue {self.target!r} ({self.origin}) is {what}: {path}")

    def __str__(self) -> str:
        # Named in the command: as written. Found in a pyproject.toml: say which.
        return repr(self.target) if self.origin == "--catalogue" else f"{self.target!r} (from {self.origin})"


def locate(given: str | None = None, *, cwd: Path | None = None) -> CatalogueLocation:
    """The catalogue named by ``given`` (``--catalogue``), else by the nearest pyproject.toml's table.

    Raises :class:`CatalogueError`, one line naming every pyproject.toml it read, when neither names one.
    """
    cwd = (cwd or Path.cwd()).resolve()
    if given:
        return CatalogueLocation(given, cwd, "--catalogue")
    looked: list[str] = []
    for folder in (cwd, *cwd.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        looked.append(str(pyproject))
        table = _tool_table(pyproject)
        if table is None:
            continue
        target = table.get("catalogue")
        if not isinstance(target, str) or not target.strip():
            raise CatalogueError(f"{pyproject}: [tool.{PYPROJECT_TABLE}] catalogue must be a module name, a .py file "
                                 f"or a package folder (got {target!r})")
        return CatalogueLocation(target.strip(), folder, str(pyproject))
    where = f"read {', '.join(looked)}: none has" if looked else f"found no pyproject.toml in {cwd} or its parents with"
    raise CatalogueError(f"no flag catalogue: pass --catalogue MODULE|FILE.py|PACKAGE/, or name it in pyproject.toml "
                         f"([tool.{PYPROJECT_TABLE}] catalogue = \"flags\"); {where} a [tool.{PYPROJECT_TABLE}] table")


def _tool_table(pyproject: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI (a dependency there)
        import tomli as tomllib
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogueError(f"cannot read {pyproject}: {error}") from None
    table = data.get("tool", {}).get(PYPROJECT_TABLE)
    return table if isinstance(table, dict) else None


def import_catalogue(location: CatalogueLocation) -> ModuleType:
    """The catalogue module, imported with its folder first on ``sys.path``.

    Raises :class:`CatalogueError`: every problem of a ``FlagValidationError``, or one line naming the
    error and the catalogue's line that raised it.
    """
    root, name = location.import_root_and_module()
    root_text = str(root)
    if root_text in sys.path:
        sys.path.remove(root_text)
    sys.path.insert(0, root_text)
    _forget_elsewhere(name, root)
    try:
        module = importlib.import_module(name)
    except Exception as error:  # noqa: BLE001 - any mistake in the catalogue's code: lines, not a traceback
        problems = getattr(error, "problems", None)
        if type(error).__name__ == "FlagValidationError" and problems is not None:
            raise CatalogueError(f"the catalogue {location} has invalid flags ({getattr(error, 'subject', '')}): "
                                 f"{len(problems)} problem(s)", [str(p) for p in problems]) from None
        reason = one_line(error)
        raise CatalogueError(f"cannot import the catalogue {location}: {reason}", reason=reason) from None
    found = getattr(module, "__file__", None)
    if found is not None and not Path(found).resolve().is_relative_to(root.resolve()):
        raise CatalogueError(f"the catalogue {location}: the module {name!r} imported is {found}, not one in {root}")
    return module


def _forget_elsewhere(name: str, root: Path) -> None:
    """Drop a loaded module ``name`` (and its submodules) that is not the one in ``root``: a same-named catalogue
    of another folder, imported earlier in this process, must not stand in for this one."""
    top = name.split(".")[0]
    loaded = sys.modules.get(top)
    found = getattr(loaded, "__file__", None)
    if loaded is None or (found is not None and Path(found).resolve().is_relative_to(root.resolve())):
        return
    for loaded_name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
        del sys.modules[loaded_name]


def profiles_in(module: ModuleType) -> tuple[Profile, ...]:
    """``module.PROFILES`` if it has it, else every profile it holds in order; :class:`CatalogueError` if none."""
    declared = getattr(module, "PROFILES", None)
    if declared is not None:
        if not isinstance(declared, (tuple, list)) or not all(_is_profile(p) for p in declared):
            raise CatalogueError(f"{module.__name__}.PROFILES must be a tuple of appconfig_flags.Profile "
                                 f"(got {type(declared).__name__})")
        return tuple(declared)
    held: dict[int, Any] = {}
    for value in vars(module).values():
        if _is_profile(value):
            held.setdefault(id(value), value)
    if not held:
        raise CatalogueError(f"the catalogue module {module.__name__!r} ({getattr(module, '__file__', '?')}) holds "
                             "no Profile and no PROFILES")
    return tuple(held.values())


def _is_profile(value: object) -> bool:
    # By class, not isinstance: a catalogue from another git ref is read with that ref's flag model.
    kind = type(value)
    return kind.__name__ == "Profile" and kind.__module__.startswith("appconfig_flags.model")


@dataclass(frozen=True)
class Catalogue:
    """A loaded catalogue: where it is, its module, and its profiles."""

    location: CatalogueLocation
    module: ModuleType
    profiles: tuple[Profile, ...]

    def profile(self, name: str) -> Profile:
        """The profile named ``name``; :class:`CatalogueError` naming the catalogue's profiles otherwise."""
        for profile in self.profiles:
            if profile.name == name:
                return profile
        raise CatalogueError(f"the catalogue {self.location} has no profile {name!r}; it has "
                             f"{', '.join(p.name for p in self.profiles)}")

    def modules(self) -> Iterator[ModuleType]:
        """The catalogue's module and its submodules that are loaded (for names bound to flags)."""
        name = self.module.__name__
        for loaded_name, module in list(sys.modules.items()):
            if module is not None and (loaded_name == name or loaded_name.startswith(name + ".")):
                yield module


def load_catalogue(given: str | None = None, *, cwd: Path | None = None) -> Catalogue:
    """Locate, import and read the catalogue: :func:`locate`, :func:`import_catalogue`, :func:`profiles_in`."""
    location = locate(given, cwd=cwd)
    module = import_catalogue(location)
    return Catalogue(location, module, profiles_in(module))


def one_line(error: BaseException) -> str:
    """``Type: message (file:line)``, the line being the innermost one of the catalogue's code (not a library's)."""
    package = str(Path(__file__).resolve().parent)
    places = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)
              if not str(Path(frame.filename).resolve()).startswith(package) and "importlib" not in frame.filename]
    message = str(error).splitlines()[0] if str(error) else ""
    if isinstance(error, SyntaxError) and error.filename:
        places.append((error.filename, error.lineno))
        message = error.msg
    ours = [f"{_shown(filename)}:{line}" for filename, line in places
            if not filename.startswith("<") and "site-packages" not in filename]
    return f"{type(error).__name__}: {message}" + (f" ({ours[-1]})" if ours else "")


def _shown(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return filename
