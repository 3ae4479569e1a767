"""Render a flag catalogue (every profile, every environment) to JSON documents, in a child process.

The catalogue is code (:mod:`appconfig_flags.catalogue` finds, imports and reads it). Code from another
git ref, or a working tree mid-edit, never runs in the calling process: the tree at the ref is exported with
``git archive`` into a temporary directory, a child Python renders it there and prints JSON, and the
directory is removed whatever happens. The caller compares the JSON only.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Seconds a catalogue may take to import and render before it counts as broken.
RENDER_TIMEOUT = 120.0
#: The one catalogue loader (standard library only), loaded by path in the child.
_LOADER = Path(__file__).resolve().parent.parent / "catalogue.py"

# Runs in the child: loads the catalogue loader from argv[1] by path, imports the catalogue argv[3] from
# argv[2] with it, and prints its documents as JSON. Written for any ref's code: document(), else render().
_RENDERER = r"""
import importlib.util, json, os, sys
from pathlib import Path
loader_path, root, target = sys.argv[1:4]
sys.path[:0] = sys.argv[4:]
out = sys.stdout
sys.stdout = sys.stderr  # whatever the catalogue prints must not spoil the JSON
try:
    spec = importlib.util.spec_from_file_location("_appconfig_flags_catalogue_loader", loader_path)
    loader = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loader
    spec.loader.exec_module(loader)
    module = loader.import_catalogue(loader.CatalogueLocation(target, Path(root), "--catalogue"))
    profiles = loader.profiles_in(module)
    result = []
    for profile in profiles:
        environments = list(profile.environments) if getattr(profile, "environments", None) else [None]
        documents = [[env, profile.document(env) if hasattr(profile, "document") else json.loads(profile.render(env))]
                     for env in environments]
        # The file that defines the profile, for messages such as "flags from flags/checkout.py".
        source = next((getattr(m, "__file__", None) for m in list(sys.modules.values())
                       if getattr(m, "__name__", "").startswith(module.__name__)
                       and any(v is profile for v in vars(m).values())), None)
        experiments = [e.to_json() for e in getattr(profile, "experiments", ())]  # older catalogues have none
        result.append({"profile": profile.name, "documents": documents, "source": source, "experiments": experiments})
except (Exception, SystemExit) as exc:
    if type(exc).__name__ == "CatalogueError":
        problems = getattr(exc, "problems", ())
        message = ("invalid flags: " + "; ".join(problems)) if problems else (getattr(exc, "reason", None) or str(exc))
    else:
        message = f"{type(exc).__name__}: {exc}"
    print(" ".join(message.split()) or repr(exc), file=sys.stderr)
    sys.exit(3)
out.write(json.dumps(result))
"""


class CatalogueLoadError(Exception):
    """The catalogue could not be loaded: not a git repository, a bad ref, or code that fails. One line."""


Documents = dict[str, dict["str | None", dict[str, Any]]]


def render_catalogue(root: Path, module: str, *, where: str = "in the working tree") -> Documents:
    """``{profile: {environment: document}}`` of ``module`` imported from ``root``, rendered by a child Python.

    ``where`` names the tree in error messages. Raises :class:`CatalogueLoadError` with the child's
    one-line reason (an import error, a ``FlagValidationError`` listing the problems, ...).
    """
    return render_catalogue_with_sources(root, module, where=where)[0]


def render_catalogue_with_sources(root: Path, module: str, *, where: str = "in the working tree",
                                  fallback_paths: Sequence[Path] = ()) -> tuple[Documents, dict[str, Path | None]]:
    """:func:`render_catalogue`, and the file that defines each profile (``None`` when unknown).

    ``fallback_paths`` are searched after ``root`` for what the catalogue imports (the flag model of a
    catalogue copied elsewhere); the catalogue module itself must be in ``root``.
    """
    rendered = render_catalogue_in_full(root, module, where=where, fallback_paths=fallback_paths)
    return rendered.documents, rendered.sources


@dataclass(frozen=True)
class RenderedCatalogue:
    """What the child rendered: documents, the file defining each profile, and each profile's experiments."""

    documents: Documents
    sources: dict[str, Path | None]
    #: profile name -> its experiments as ``Experiment.to_json()`` data (none for a catalogue without them).
    experiments: dict[str, list[dict[str, Any]]]


def render_catalogue_in_full(root: Path, module: str, *, where: str = "in the working tree",
                             fallback_paths: Sequence[Path] = ()) -> RenderedCatalogue:
    """:func:`render_catalogue_with_sources`, and the experiments of each profile."""
    try:
        # -I: no PYTHONPATH, user site or current directory; -B: write no .pyc files into the tree. -I also
        # drops PYTHONPYCACHEPREFIX: where this process keeps bytecode apart, the child reads it there (the
        # flag model compiled once, not on every render; about a third of the child's start).
        prefix = ["-X", f"pycache_prefix={sys.pycache_prefix}"] if sys.pycache_prefix else []
        result = subprocess.run([sys.executable, "-I", "-B", *prefix, "-c", _RENDERER, str(_LOADER), str(root), module,
                                 *map(str, fallback_paths)], cwd=root,
                                capture_output=True, text=True, timeout=RENDER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise CatalogueLoadError(f"the catalogue {module!r} {where} took over {RENDER_TIMEOUT:g} s to render") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise CatalogueLoadError(f"the catalogue {module!r} {where} does not load: {reason}")
    try:
        loaded = json.loads(result.stdout)
        documents = {entry["profile"]: {env: document for env, document in entry["documents"]} for entry in loaded}
        sources = {entry["profile"]: Path(entry["source"]) if entry.get("source") else None for entry in loaded}
        experiments = {entry["profile"]: list(entry.get("experiments", [])) for entry in loaded}
        return RenderedCatalogue(documents, sources, experiments)
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogueLoadError(f"the catalogue {module!r} {where} printed no catalogue JSON ({exc})") from None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise CatalogueLoadError("git is not installed (needed to read the catalogue at a git ref)") from None


def repository_of(path: Path) -> tuple[Path, str]:
    """The repository's top-level directory holding ``path``, and ``path`` relative to it ('' at the top)."""
    top = _git(path, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise CatalogueLoadError(f"{path.resolve()} is not in a git repository (a git ref is needed to compare with)")
    prefix = _git(path, "rev-parse", "--show-prefix").stdout.decode().strip()
    return Path(top.stdout.decode().strip()), prefix


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit ``ref`` names; :class:`CatalogueLoadError` if it names none."""
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") if not ref.startswith("-") else None
    if found is None or found.returncode != 0:
        raise CatalogueLoadError(f"{ref!r} is not a commit in {repo} (try HEAD, a branch, a tag or a commit hash)")
    return found.stdout.decode().strip()


@contextmanager
def exported_tree(repo: Path, commit: str) -> Iterator[Path]:
    """The files of ``commit`` in a temporary directory, removed on leaving (errors included)."""
    archive = _git(repo, "archive", "--format=tar", commit)
    if archive.returncode != 0:
        raise CatalogueLoadError(f"git archive {commit[:12]} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix="flags-at-ref-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            # "data": no absolute paths, no links leaving the directory, no device files.
            tar.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))  # type: ignore[arg-type]
        yield Path(tmp)


def render_catalogue_at(ref: str, *, root: Path = Path("."), module: str) -> Documents:
    """The catalogue ``module`` as it was at git ``ref`` of the repository holding ``root``."""
    return render_catalogue_in_full_at(ref, root=root, module=module).documents


def render_catalogue_in_full_at(ref: str, *, root: Path = Path("."), module: str) -> RenderedCatalogue:
    """:func:`render_catalogue_in_full` of the catalogue as it was at git ``ref``."""
    repo, prefix = repository_of(root)
    commit = resolve_commit(repo, ref)
    with exported_tree(repo, commit) as tree:
        return render_catalogue_in_full(tree / prefix, module, where=f"at {ref}")
