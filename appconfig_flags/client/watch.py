"""Sources that follow local files as they are edited: "flip the flag, reload the page", no AWS account.

:class:`CatalogueFileSource` watches the catalogue's Python files (``flags/*.py``) and, when one
changes, renders the catalogue again **in a child process** (:mod:`appconfig_flags.ops.catalogue`):
edited code never runs in the serving process. :class:`WatchedFileSource` watches one AppConfig
Agent local-development file (retrieval-form JSON; AWS AppConfig User Guide, "Using a local
development mode"). Both compare file modification times on every poll (Default: each second) and
do nothing more while no file changed.

A broken edit (a syntax error, a value the model refuses, bad JSON) is reported once, as a
``SourceError`` of kind ``content`` naming the file and the problem: the client keeps serving the
last good values, and :attr:`problem` holds the line until a later edit fixes it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from appconfig_flags.model import FlagValidationError, Profile, retrieval_form

from .errors import ErrorKind, SourceError
from .snapshot import UNCHANGED, Snapshot, Unchanged

#: Seconds between checks of the files' modification times.
DEFAULT_WATCH_INTERVAL = 1.0

#: (path, modification time in ns, size) of each watched file; a file that is missing has no entry.
Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """What changes when any of ``paths`` is written, created or deleted (cheap: one ``stat`` each)."""
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Reload:
    """The last time a watched source loaded values: from which file, when (epoch seconds)."""

    origin: str
    loaded_at: float


class _Watcher:
    """The part both sources share: the fingerprint last handled, the last reload, the current problem."""

    name: str
    _poll_interval: float

    def __init__(self, poll_interval: float) -> None:
        if not poll_interval > 0:
            raise ValueError(f"poll_interval must be a positive number of seconds (got {poll_interval!r})")
        self._poll_interval = float(poll_interval)
        self._handled: Fingerprint | None = None
        #: The last successful load, or ``None`` before the first.
        self.last_reload: Reload | None = None
        #: The line naming what is wrong with the files now (``None`` when they load).
        self.problem: str | None = None

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    def _watched(self) -> list[Path]:
        raise NotImplementedError

    def _load(self) -> tuple[Snapshot, str]:
        raise NotImplementedError

    def fetch(self) -> Snapshot | Unchanged:
        current = fingerprint(self._watched())
        if current == self._handled:
            return UNCHANGED
        # Handled whatever the outcome: a broken file is reported once and tried again when it next changes.
        self._handled = current
        try:
            snapshot, origin = self._load()
        except SourceError as exc:
            self.problem = exc.message
            raise
        self.problem = None
        self.last_reload = Reload(origin=origin, loaded_at=time.time())
        return snapshot

    def reset(self) -> None:
        """Load again on the next fetch (after ``fork`` the child reads the files itself)."""
        self._handled = None

    def close(self) -> None:
        """Nothing to release."""


def _content_error(code: str, message: str, label: str) -> SourceError:
    return SourceError(code, message, kind=ErrorKind.CONTENT, version_label=label)


class CatalogueFileSource(_Watcher):
    """``profile`` in ``environment`` from the catalogue module's source files, rendered again after each edit.

    ``module`` is imported from ``root`` in a child process (Default: ``flags`` from the current
    directory); every ``*.py`` file of the module's package is watched, plus ``also_watch``.
    ``poll_interval``: seconds between checks (Default: 1).
    """

    def __init__(self, profile: str, environment: str, *, root: Path | str = ".", module: str = "flags",
                 poll_interval: float = DEFAULT_WATCH_INTERVAL, also_watch: Iterable[Path] = ()) -> None:
        super().__init__(poll_interval)
        self.name = f"catalogue:{module}/{profile}@{environment}"
        self.profile = profile
        self.environment = environment
        self.root = Path(root).resolve()
        self.module = module
        self._also_watch = tuple(Path(p) for p in also_watch)

    def _watched(self) -> list[Path]:
        base = self.root.joinpath(*self.module.split("."))
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        return [*files, *self._also_watch]

    def _load(self) -> tuple[Snapshot, str]:
        # Imported here: the operations package is needed only by this source.
        from appconfig_flags.ops.catalogue import CatalogueLoadError, render_catalogue_with_sources

        label = time.strftime("catalogue %H:%M:%S")
        try:
            # The flag model comes from the root if it has one, else from where this process has it.
            model_home = Path(__file__).resolve().parents[2]
            documents, sources = render_catalogue_with_sources(self.root, self.module, where=f"in {self.root}",
                                                               fallback_paths=[model_home])
        except CatalogueLoadError as exc:
            raise _content_error("CatalogueNotLoaded", str(exc), label) from None
        document = documents.get(self.profile, {}).get(self.environment)
        if document is None:
            known = {name: list(envs) for name, envs in documents.items()}
            raise _content_error("NotInCatalogue", f"the catalogue {self.module!r} has no profile {self.profile!r} "
                                 f"with environment {self.environment!r} (it has {known})", label)
        try:
            # The document is data (JSON from the child): loading it runs no catalogue code here.
            values = retrieval_form(Profile.from_document(self.profile, document))
        except FlagValidationError as exc:
            raise _content_error("InvalidDocument", " ".join(str(exc).split()), label) from None
        source = sources.get(self.profile)
        origin = _relative(source, self.root) if source is not None else self.module
        return Snapshot.from_retrieval_form(values, version_label=label), origin


class WatchedFileSource(_Watcher):
    """Flag values from one retrieval-form JSON file (an Agent local-development file), read again after each edit.

    ``poll_interval``: seconds between checks (Default: 1).
    """

    def __init__(self, path: Path | str, *, poll_interval: float = DEFAULT_WATCH_INTERVAL) -> None:
        super().__init__(poll_interval)
        self.path = Path(path)
        self.name = f"file:{self.path}"

    @classmethod
    def agent_local_file(cls, directory: Path | str, *, application: str, environment: str, profile: str,
                         poll_interval: float = DEFAULT_WATCH_INTERVAL) -> WatchedFileSource:
        """The file the Agent reads in local development mode: ``DIR/application:environment:profile.json``."""
        return cls(Path(directory) / f"{application}:{environment}:{profile}.json", poll_interval=poll_interval)

    def _watched(self) -> list[Path]:
        return [self.path]

    def _load(self) -> tuple[Snapshot, str]:
        label = time.strftime("file %H:%M:%S")
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise _content_error("FileNotReadable", f"{self.path}: {exc.strerror or exc}", label) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _content_error("MalformedJSON", f"{self.path}: not JSON ({exc})", label) from None
        try:
            return Snapshot.from_retrieval_form(data, version_label=label), str(self.path)
        except SourceError as exc:
            raise _content_error(exc.code, f"{self.path}: {exc.message}", label) from None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
