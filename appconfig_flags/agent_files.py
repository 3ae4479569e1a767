"""``python -m appconfig_flags.agent_files --out DIR [--catalogue flags]``: a catalogue as AppConfig Agent local-development files.

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
import importlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from appconfig_flags.client import DEFAULT_APPLICATION
from appconfig_flags.client.ion import ION_FILE_SUFFIX, write_ion
from appconfig_flags.client.targeting import ion_flags
from appconfig_flags.model import Profile, retrieval_form


def file_name(application: str, environment: str, profile: str, *, ion: bool = False) -> str:
    """The agent's local-development name; ``.json`` makes it report ``application/json``, the Ion suffix Ion."""
    return f"{application}:{environment}:{profile}" + (ION_FILE_SUFFIX if ion else ".json")


def write_agent_files(out: Path, *, application: str = DEFAULT_APPLICATION, environments: Iterable[str] | None = None,
                      profiles: Iterable[Profile]) -> list[Path]:
    """Write every profile in every environment (Default: each profile's environments); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for profile in profiles:
        names = list(environments) if environments is not None else list(profile.environments or ())
        for environment in names:
            ion = any(flag.has_value and flag.value_in(environment).variants for flag in profile.flags)
            path = out / file_name(application, environment, profile.name, ion=ion)
            if ion:
                text = write_ion(ion_flags(profile, environment))
            else:
                text = json.dumps(retrieval_form(profile, environment), indent=2) + "\n"
            path.write_text(text, encoding="utf-8")
            (out / file_name(application, environment, profile.name, ion=not ion)).unlink(missing_ok=True)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="appconfig-flags agent-files", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="directory to write (created if missing)")
    parser.add_argument("--catalogue", default="flags",
                        help="importable module exposing PROFILES, a tuple of Profile objects (default: %(default)s)")
    parser.add_argument("--env", action="append",
                        help="only this environment (repeatable; default: every environment)")
    parser.add_argument("--app", default=DEFAULT_APPLICATION, help="application name in the file names (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        profiles = tuple(importlib.import_module(args.catalogue).PROFILES)
    except (ImportError, AttributeError) as exc:
        parser.error(f"cannot read PROFILES from the catalogue {args.catalogue!r}: {exc}")
    known = sorted({e for p in profiles for e in (p.environments or ())})
    for environment in args.env or ():
        if environment not in known:
            parser.error(f"argument --env: invalid choice: {environment!r} (choose from {', '.join(known)})")
    for path in write_agent_files(args.out, application=args.app, environments=args.env, profiles=profiles):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
