"""What the ops CLIs share: the app's inputs as options, loading the catalogue, one-line errors, confirmation."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from appconfig_flags.model import FlagValidationError, Profile

from .control_plane import OpsError


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser with the app-specific inputs every ops command takes (the Makefile reads them from cdk.json)."""
    out = argparse.ArgumentParser(prog=prog, description=description)
    out.add_argument("--application", required=True, help="the AppConfig application's name, e.g. FlagsDemo")
    out.add_argument("--environments", required=True, type=_names,
                     help="the application's environments in promotion order, comma-separated: Beta,Production")
    out.add_argument("--catalogue", default="flags", help="module whose PROFILES are the code's flags. Default: flags")
    out.add_argument("--region", default=None, help="Default: the AWS configuration's region (AWS_DEFAULT_REGION, the profile)")
    out.add_argument("--endpoint-url", default=None, help="another AppConfig endpoint (tests, a local fake)")
    return out


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"expected names separated by commas (got {text!r})")
    return names


def load_profiles(module: str) -> tuple[Profile, ...]:
    """``module.PROFILES``, the catalogue's profiles; an :class:`OpsError` if it cannot be imported or has none."""
    try:
        loaded = importlib.import_module(module)
    except FlagValidationError as error:
        raise OpsError(f"the catalogue {module!r} has invalid flags: {error}") from None
    except ImportError as error:
        raise OpsError(f"cannot import the catalogue module {module!r}: {error}") from None
    profiles = getattr(loaded, "PROFILES", None)
    if not profiles or not all(isinstance(p, Profile) for p in profiles):
        raise OpsError(f"the catalogue module {module!r} has no PROFILES tuple of appconfig_flags.model.Profile")
    return tuple(profiles)


def check_environment(name: str, environments: Sequence[str], application: str) -> str:
    if name not in environments:
        raise OpsError(f"environment {name!r} is not an environment of {application} "
                       f"(cdk.json names {', '.join(environments)})")
    return name


def confirm(question: str, *, yes: bool, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Ask ``question`` (y/N) unless ``yes``; an :class:`OpsError` unless the answer is yes."""
    if yes:
        return
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stdout.write(f"{question} [y/N] ")
    stdout.flush()
    answer = stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        reason = "no answer (stdin closed; pass --yes to skip the question)" if not answer else "not confirmed"
        raise Cancelled(f"{reason}: nothing was changed")


class Cancelled(OpsError):
    """The person said no: nothing changed."""


def run(command: Callable[[], int], *, stderr: TextIO | None = None) -> int:
    """Run ``command``; an :class:`OpsError` (or Ctrl-C) becomes one ``error:`` line and a non-zero exit code."""
    stderr = stderr or sys.stderr
    try:
        return command()
    except Cancelled as error:
        print(f"cancelled: {error}", file=stderr)
        return 1
    except OpsError as error:
        print(f"error: {error}", file=stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return 130
