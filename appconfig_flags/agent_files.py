"""``python -m appconfig_flags.agent_files --out DIR``: the catalogue as AppConfig Agent local-development files.

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

from appconfig_flags.client import DEFAULT_APPLICATION
from appconfig_flags.client.ion import ION_FILE_SUFFIX, write_ion
from appconfig_flags.client.targeting import ion_flags
from appconfig_flags.model import Profile, retrieval_form
from flags import PROFILES


def file_name(application: str, environment: str, profile: str, *, ion: bool = False) -> str:
    """The agent's local-development name; ``.json`` makes it report ``application/json``, the Ion suffix Ion."""
    return f"{application}:{environment}:{profile}" + (ION_FILE_SUFFIX if ion else ".json")


def write_agent_files(out: Path, *, application: str = DEFAULT_APPLICATION, environments: Iterable[str] | None = None,
                      profiles: Iterable[Profile] = PROFILES) -> list[Path]:
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
    known = sorted({e for p in PROFILES for e in (p.environments or ())})
    parser = argparse.ArgumentParser(prog="python -m appconfig_flags.agent_files", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="directory to write (created if missing)")
    parser.add_argument("--env", choices=known, action="append",
                        help="only this environment (repeatable; default: every environment)")
    parser.add_argument("--app", default=DEFAULT_APPLICATION, help="application name in the file names (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in write_agent_files(args.out, application=args.app, environments=args.env):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
