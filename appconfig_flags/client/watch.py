"""Sources that follow local files as they are edited: "flip the flag, reload the page", no AWS account.

:class:`CatalogueFileSource` watches the catalogue's Python files (``flags/*.py``) and, when one
changes, renders the catalogue again **in a child process** (:mod:`appconfig_flags.ops.catalogue`):
edited code never runs in the serving process. :class:`WatchedFileSource` watches AppConfig
Agent local-development files (retrieval-form JSON, or the Ion retrieval format of a profile with
multi-variant flags; AWS AppConfig User Guide, "Working with AWS AppConfig Agent local development
mode"). Both compare file modification times on every poll (Default: each second) and do nothing
more while no file changed. Both evaluate multi-variant flags in memory (:mod:`.targeting`).

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

from appconfig_flags.model import FlagValidationError, Profile

from .errors import ErrorKind, SourceError
from .ion import ION_FILE_SUFFIX
from .snapshot import UNCHANGED, Snapshot, Unchanged
from .targeting import snapshot_from_ion, snapshot_from_json, snapshot_from_profile

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
        from appconfig_flags.ops.catalogue import CatalogueLoadError, render_catalogue_in_full

        label = time.strftime("catalogue %H:%M:%S")
        try:
            # The flag model comes from the root if it has one, else from where this process has it.
            model_home = Path(__file__).resolve().parents[2]
            rendered = render_catalogue_in_full(self.root, self.module, where=f"in {self.root}",
                                                fallback_paths=[model_home])
            documents, sources = rendered.documents, rendered.sources
        except CatalogueLoadError as exc:
            raise _content_error("CatalogueNotLoaded", str(exc), label) from None
        document = documents.get(self.profile, {}).get(self.environment)
        if document is None:
            known = {name: list(envs) for name, envs in documents.items()}
            raise _content_error("NotInCatalogue", f"the catalogue {self.module!r} has no profile {self.profile!r} "
                                 f"with environment {self.environment!r} (it has {known})", label)
        try:
            # The document is data (JSON from the child): loading it runs no catalogue code here.
            loaded = Profile.from_document(self.profile, document)
            # The catalogue's experiment runs in this environment, simulated (not AppConfig's bucketing).
            experiments = [e for e in rendered.experiments.get(self.profile, []) if e.get("environment") == self.environment]
            snapshot = snapshot_from_profile(loaded, None, version_label=label, experiments=experiments)
        except FlagValidationError as exc:
            raise _content_error("InvalidDocument", " ".join(str(exc).split()), label) from None
        source = sources.get(self.profile)
        origin = _relative(source, self.root) if source is not None else self.module
        return snapshot, origin


class WatchedFileSource(_Watcher):
    """Flag values from an Agent local-development file, read again after each edit.

    A file whose name ends with ``.application%ion%type=AWS.AppConfig.FeatureFlags`` holds the Ion
    retrieval format (multi-variant flags, evaluated here); any other holds retrieval-form JSON.
    ``also``: other files that stand for the same configuration; the most recently written of the
    files that exist is read (the Agent's JSON and Ion names for one profile). ``poll_interval``:
    seconds between checks (Default: 1).
    """

    def __init__(self, path: Path | str, *, also: tuple[Path | str, ...] = (),
                 poll_interval: float = DEFAULT_WATCH_INTERVAL) -> None:
        super().__init__(poll_interval)
        self.path = Path(path)
        self._paths = (self.path, *(Path(p) for p in also))
        self.name = f"file:{self.path}"

    @classmethod
    def agent_local_file(cls, directory: Path | str, *, application: str, environment: str, profile: str,
                         poll_interval: float = DEFAULT_WATCH_INTERVAL) -> WatchedFileSource:
        """The files the Agent reads in local development mode for one profile.

        ``DIR/application:environment:profile.json``, or the same name ending with
        ``.application%ion%type=AWS.AppConfig.FeatureFlags`` for a profile with multi-variant flags.
        """
        stem = Path(directory) / f"{application}:{environment}:{profile}"
        return cls(stem.with_name(stem.name + ".json"), also=(stem.with_name(stem.name + ION_FILE_SUFFIX),),
                   poll_interval=poll_interval)

    def _watched(self) -> list[Path]:
        return list(self._paths)

    def _current(self) -> Path:
        found = [(p.stat().st_mtime_ns, -i, p) for i, p in enumerate(self._paths) if p.exists()]
        return max(found)[2] if found else self.path

    def _load(self) -> tuple[Snapshot, str]:
        label = time.strftime("file %H:%M:%S")
        path = self._current()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise _content_error("FileNotReadable", f"{path}: {exc.strerror or exc}", label) from None
        try:
            if path.name.endswith(ION_FILE_SUFFIX):
                return snapshot_from_ion(text, version_label=label), str(path)
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise _content_error("MalformedJSON", f"{path}: not JSON ({exc})", label) from None
            return snapshot_from_json(data, version_label=label), str(path)
        except SourceError as exc:
            if exc.message.startswith(str(path)):
                raise
            raise _content_error(exc.code, f"{path}: {exc.message}", label) from None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
