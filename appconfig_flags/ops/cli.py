"""What the AWS commands share: the application from the catalogue, the AWS options, one-line errors, confirmation."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from appconfig_flags import catalogue
from appconfig_flags.catalogue import Catalogue, CatalogueError
from appconfig_flags.model import Profile

from .control_plane import OpsError


@dataclass(frozen=True)
class AppTarget:
    """The AppConfig application a command works on, as the catalogue names it."""

    name: str
    #: Its environments in promotion order (every profile's, first-seen order).
    environments: tuple[str, ...]
    profiles: tuple[Profile, ...]

    def environment(self, name: str) -> str:
        """``name`` if the catalogue names it for this application; an :class:`OpsError` naming them otherwise."""
        if name not in self.environments:
            raise OpsError(f"environment {name!r} is not an environment of {self.name} "
                           f"(the catalogue names {', '.join(self.environments)})")
        return name


def add_catalogue_option(parser: argparse.ArgumentParser) -> None:
    """``--catalogue``: where the flags are (Default: pyproject.toml's ``[tool.appconfig-flags] catalogue``)."""
    parser.add_argument("--catalogue", default=None, metavar="MODULE|FILE.py|PACKAGE/",
                        help="the flag catalogue. Default: catalogue in the [tool.appconfig-flags] table of the "
                             "nearest pyproject.toml")


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    """``--region`` and ``--endpoint-url`` for the AppConfig API."""
    parser.add_argument("--region", default=None, help="Default: the AWS configuration's region (AWS_REGION, the profile)")
    parser.add_argument("--endpoint-url", default=None, help="another AppConfig endpoint (a local AWS, a fake)")


def add_application_options(parser: argparse.ArgumentParser) -> None:
    """The catalogue, the application among its applications, and the AWS options."""
    add_catalogue_option(parser)
    parser.add_argument("--application", default=None,
                        help="the catalogue's application to work on. Default: the only one it names")
    add_aws_options(parser)


def load_catalogue(given: str | None) -> Catalogue:
    """The catalogue (:func:`appconfig_flags.catalogue.load_catalogue`); its errors as an :class:`OpsError`."""
    try:
        return catalogue.load_catalogue(given)
    except CatalogueError as error:
        raise OpsError(str(error)) from None


def load_profiles(given: str | None) -> tuple[Profile, ...]:
    """The catalogue's profiles; an :class:`OpsError` if it cannot be found, imported or read."""
    return load_catalogue(given).profiles


def app_target(args: argparse.Namespace) -> AppTarget:
    """The application ``args`` select (``--catalogue``, ``--application``), with its environments and profiles."""
    loaded = load_catalogue(args.catalogue)
    unnamed = [p.name for p in loaded.profiles if not p.application]
    if unnamed:
        raise OpsError(f"profile(s) {', '.join(unnamed)} of the catalogue {loaded.location} name no AppConfig "
                       "application: add application=\"...\" (and environments=(...), in promotion order) to Profile(...)")
    by_application: dict[str, list[Profile]] = {}
    for profile in loaded.profiles:
        by_application.setdefault(str(profile.application), []).append(profile)
    chosen = args.application
    if chosen is None:
        if len(by_application) > 1:
            raise OpsError(f"the catalogue names {len(by_application)} applications ({', '.join(by_application)}): "
                           "choose one with --application")
        chosen = next(iter(by_application))
    if chosen not in by_application:
        raise OpsError(f"the catalogue {loaded.location} names no application {chosen!r}; it names "
                       f"{', '.join(by_application)}")
    profiles = tuple(by_application[chosen])
    environments: dict[str, None] = {}
    for profile in profiles:
        environments.update(dict.fromkeys(profile.environments or ()))
    if not environments:
        raise OpsError(f"the catalogue's profiles of {chosen} name no environments: add environments=(...), in "
                       "promotion order, to Profile(...)")
    return AppTarget(chosen, tuple(environments), profiles)


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
