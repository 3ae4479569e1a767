"""Runs the CDK app so that bad input ends with one readable line per problem and no template."""
from __future__ import annotations

import sys
from collections.abc import Callable

from appconfig_flags.model import FlagValidationError
from constructs_lib.props import PropsError

from .settings import SettingsError


def run(build: Callable[[], None]) -> None:
    """Call ``build``; on invalid flags, props or settings print every problem and exit 1."""
    try:
        build()
    except FlagValidationError as exc:
        _fail(f"invalid feature flags ({exc.subject})", [str(p) for p in exc.problems])
    except PropsError as exc:
        _fail(f"invalid construct properties ({exc.path})", list(exc.problems))
    except SettingsError as exc:
        _fail("invalid cdk.json context", list(exc.problems))


def _fail(title: str, problems: list[str]) -> None:
    print(f"error: {title}: {len(problems)} problem(s); nothing was synthesized.", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
