"""``appconfig-flags agent-files --out DIR``: the catalogue as AppConfig Agent local-development files.

One file per (environment, profile), for an agent started with ``LOCAL_DEVELOPMENT_DIRECTORY=DIR``
("Working with AWS AppConfig Agent local development mode",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-agent-how-to-use-local-development.html):
``application:environment:profile.json`` holding the retrieval form; or, for a profile with
multi-variant flags in that environment, ``application:environment:profile.application%ion%type=AWS.AppConfig.FeatureFlags``
holding the Ion retrieval format (:mod:`appconfig_flags.client.ion`), so the agent evaluates the
variants. Writing one form removes the other's file, so the agent never sees both.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from appconfig_flags.catalogue import CatalogueError, load_catalogue
from appconfig_flags.client.ion import ION_FILE_SUFFIX, write_ion
from appconfig_flags.client.targeting import ion_flags
from appconfig_flags.model import Profile, retrieval_form


def file_name(application: str, environment: str, profile: str, *, ion: bool = False) -> str:
    """The agent's local-development name; ``.json`` makes it report ``application/json``, the Ion suffix Ion."""
    return f"{application}:{environment}:{profile}" + (ION_FILE_SUFFIX if ion else ".json")


def write_agent_files(out: Path, *, profiles: Iterable[Profile], environments: Iterable[str] | None = None,
                      application: str | None = None) -> list[Path]:
    """Write every profile in every environment (Default: each profile's environments); returns the paths.

    ``application``: the name in the file names. Default: each profile's ``application``; a profile
    naming none is a ``ValueError``.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for profile in profiles:
        named = application or profile.application
        if not named:
            raise ValueError(f"profile {profile.name!r} names no application (the Agent's file names hold it): "
                             "add application=... to the Profile, or pass --application")
        names = list(environments) if environments is not None else list(profile.environments or ())
        for environment in names:
            ion = any(flag.has_value and flag.value_in(environment).variants for flag in profile.flags)
            path = out / file_name(named, environment, profile.name, ion=ion)
            if ion:
                text = write_ion(ion_flags(profile, environment))
            else:
                text = json.dumps(retrieval_form(profile, environment), indent=2) + "\n"
            path.write_text(text, encoding="utf-8")
            (out / file_name(named, environment, profile.name, ion=not ion)).unlink(missing_ok=True)
            written.append(path)
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="directory to write (created if missing)")
    parser.add_argument("--catalogue", default=None,
                        help="the flag catalogue. Default: pyproject.toml's [tool.appconfig-flags] catalogue")
    parser.add_argument("--env", action="append",
                        help="only this environment (repeatable; default: every environment)")
    parser.add_argument("--application", default=None,
                        help="application name in the file names. Default: each profile's application")


def run(args: argparse.Namespace) -> int:
    try:
        profiles = load_catalogue(args.catalogue).profiles
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    known = sorted({e for p in profiles for e in (p.environments or ())})
    for environment in args.env or ():
        if environment not in known:
            print(f"error: --env {environment!r} is not an environment of the catalogue (its environments: "
                  f"{', '.join(known)})", file=sys.stderr)
            return 2
    try:
        written = write_agent_files(args.out, application=args.application, environments=args.env, profiles=profiles)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
