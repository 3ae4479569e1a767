"""``appconfig-flags check [CATALOGUE ...]``: validate a flag catalogue with the model alone, in well under a second.

A ``CATALOGUE`` is a module name, a ``.py`` file or a package folder holding
:class:`~appconfig_flags.model.Profile` objects (``PROFILES``, else every profile it holds); with none
given, the one named by ``--catalogue`` or pyproject.toml's ``[tool.appconfig-flags] catalogue``.
Importing it builds every profile, which checks the default document and every environment's with
AppConfig's rules; this command then renders each declared environment's document. It prints one
line per problem, as ``cdk synth`` does for a bad catalogue, and one per warning; no CDK, no Node,
no AWS. Exit status: 0 when every profile is valid (warnings allowed), 1 otherwise.
"""
from __future__ import annotations

import argparse
import sys

from appconfig_flags.catalogue import CatalogueError, load_catalogue


def check_catalogue(target: str | None) -> tuple[list[str], int]:
    """The lines to print for the catalogue ``target`` (``None``: the configured one), and the exit status."""
    try:
        profiles = load_catalogue(target).profiles
    except CatalogueError as exc:
        return [f"error: {exc.lines[0]}", *exc.lines[1:]], 1
    lines: list[str] = []
    for profile in profiles:
        environments = profile.environments or profile.overridden_environments()
        for environment in environments:
            profile.render(environment)  # the text validated when the profile was built
        lines += [f"warning: {w}" for w in profile.warnings]
        experiments = f" and {len(profile.experiments)} experiment(s)" if profile.experiments else ""
        where = f" in {profile.application}" if profile.application else ""
        lines.append(f"ok: {profile.name}{where}: {len(profile.flags)} flag(s){experiments} valid for "
                     f"{', '.join(environments) or 'every environment (default values)'}")
    return lines, 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The catalogues to check: positional, or ``--catalogue``, or pyproject.toml's."""
    parser.add_argument("catalogues", nargs="*", metavar="CATALOGUE",
                        help="module name, .py file or package folder. Default: --catalogue, else pyproject.toml's "
                             "[tool.appconfig-flags] catalogue")
    parser.add_argument("--catalogue", default=None, help="the catalogue when none is given as an argument")


def run(args: argparse.Namespace) -> int:
    status = 0
    for target in args.catalogues or [args.catalogue]:
        lines, code = check_catalogue(target)
        for line in lines:
            print(line, file=sys.stderr if line.startswith(("error:", "  - ")) else sys.stdout)
        status = max(status, code)
    return status
