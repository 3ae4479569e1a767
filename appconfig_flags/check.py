"""``python -m appconfig_flags.check CATALOGUE``: validate a flag catalogue with the model alone, in well under a second.

``CATALOGUE`` is an importable module exposing ``PROFILES``, a tuple of
:class:`~appconfig_flags.model.Profile` (this repository's is ``flags``: ``make check``). Importing
it builds every profile, which checks the default document and every environment's with
AppConfig's rules; this command then renders each declared environment's document. It prints one
line per problem, as ``cdk synth`` does for a bad catalogue, and one per warning; no CDK, no Node,
no AWS. Exit status: 0 when every profile is valid (warnings allowed), 1 otherwise.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from appconfig_flags.model import FlagValidationError, Profile


def check_catalogue(module_name: str) -> tuple[list[str], int]:
    """The lines to print for the catalogue ``module_name``, and the exit status."""
    try:
        module = importlib.import_module(module_name)
    except FlagValidationError as exc:
        return _error(f"invalid feature flags ({exc.subject})", [str(p) for p in exc.problems]), 1
    except Exception as exc:  # noqa: BLE001  (any mistake in the catalogue's code: one line, no traceback)
        return [f"error: cannot import the catalogue {module_name!r}: {_one_line(exc)}"], 1
    profiles = getattr(module, "PROFILES", None)
    if not isinstance(profiles, tuple) or not all(isinstance(p, Profile) for p in profiles):
        found = type(profiles).__name__
        return [f"error: the catalogue {module_name!r} must expose PROFILES, a tuple of Profile objects (got {found})"], 1
    lines: list[str] = []
    for profile in profiles:
        environments = profile.environments or profile.overridden_environments()
        for environment in environments:
            profile.render(environment)  # the text validated when the profile was built
        lines += [f"warning: {w}" for w in profile.warnings]
        experiments = f" and {len(profile.experiments)} experiment(s)" if profile.experiments else ""
        lines.append(f"ok: {profile.name}: {len(profile.flags)} flag(s){experiments} valid for "
                     f"{', '.join(environments) or 'every environment (default values)'}")
    return lines, 0


def _error(title: str, problems: list[str]) -> list[str]:
    # The shape of stacks/entrypoint.py's synth errors: a title line, then one indented line per problem.
    return [f"error: {title}: {len(problems)} problem(s).", *(f"  - {p}" for p in problems)]


def _one_line(exc: BaseException) -> str:
    """``Type: message (file:line)``, the line being the innermost one of the user's code (under the current directory)."""
    places = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(exc.__traceback__)
              if frame.filename != __file__]
    message = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, SyntaxError) and exc.filename:
        places.append((exc.filename, exc.lineno))
        message = exc.msg
    ours = [f"{relative}:{line}" for filename, line in places if (relative := _under_cwd(filename)) is not None]
    return f"{type(exc).__name__}: {message}" + (f" ({ours[-1]})" if ours else "")


def _under_cwd(filename: str) -> str | None:
    if filename.startswith("<"):
        return None
    try:
        return Path(filename).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="appconfig-flags check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("catalogue", nargs="+", help="catalogue module(s) exposing PROFILES, e.g. flags")
    args = parser.parse_args(argv)
    status = 0
    for module_name in args.catalogue:
        lines, code = check_catalogue(module_name)
        for line in lines:
            print(line, file=sys.stderr if line.startswith(("error:", "  - ")) else sys.stdout)
        status = max(status, code)
    return status


if __name__ == "__main__":
    sys.exit(main())
