"""``appconfig-flags diff``: what a change to the flag catalogue does, per environment.

Compares the catalogue at a git ref (``--base``, default HEAD) with the working tree (or ``--head``
REF), on the documents each environment receives (defaults with overrides applied), one line per
change, then the changes of the profiles' experiments (:mod:`.experimentdiff`). Exit status 0 with or
without changes (1 with ``--fail-on-change`` when there are some), 2 when a catalogue cannot be
loaded, 3 when a change is one AppConfig refuses (a lower exposure of an experiment's run: an
``error:`` line on stderr says so).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from appconfig_flags.catalogue import CatalogueError, locate

from .catalogue import CatalogueLoadError, RenderedCatalogue, render_catalogue_in_full, render_catalogue_in_full_at
from .experimentdiff import ExperimentChange, diff_experiments, refusal_message
from .flagdiff import FORMATS, FlagChange, diff_catalogues, format_changes

#: Exit status when a change is one AppConfig refuses (a run's exposure lowered).
REFUSED = 3

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags diff``'s options."""
    parser.add_argument("--base", default="HEAD", help="git ref to compare from (default: %(default)s)")
    parser.add_argument("--head", help="git ref to compare to (default: the working tree, uncommitted edits included)")
    parser.add_argument("--catalogue", default=None,
                        help="the flag catalogue. Default: pyproject.toml's [tool.appconfig-flags] catalogue")
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: %(default)s)")
    parser.add_argument("--fail-on-change", action="store_true", help="exit with status 1 when there are changes")


def promotion_order(*rendered: RenderedCatalogue) -> list[str]:
    """Every environment the catalogues render, in the order their profiles name them (promotion order)."""
    order: dict[str, None] = {}
    for catalogue in rendered:
        for documents in catalogue.documents.values():
            order.update((environment, None) for environment in documents if environment is not None)
    return list(order)


def run(args: argparse.Namespace) -> int:
    try:
        location = locate(args.catalogue)
        before = render_catalogue_in_full_at(args.base, root=location.base, module=location.target)
        if args.head is not None:
            after = render_catalogue_in_full_at(args.head, root=location.base, module=location.target)
        else:
            after = render_catalogue_in_full(location.base, location.target)
    except (CatalogueLoadError, CatalogueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Latest stage first: a reviewer reads what reaches Production before what reaches Beta.
    order = list(reversed(promotion_order(before, after)))
    changes = diff_catalogues(before.documents, after.documents, environment_order=order)
    experiments = diff_experiments(before.experiments, after.experiments)
    target = args.head or "working tree"
    try:
        print(_formatted(changes, experiments, args.format, title=f"Flag changes, {args.base} → {target}"), flush=True)
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    refused = [change for change in experiments if change.refused]
    for change in refused:
        print(f"error: {refusal_message(change)}", file=sys.stderr)
    if refused:
        return REFUSED
    return 1 if (changes or experiments) and args.fail_on_change else 0
def _formatted(changes: Sequence[FlagChange], experiments: Sequence[ExperimentChange], output: str, *, title: str) -> str:
    """The flag changes as :func:`format_changes` writes them, the experiments' changes after them."""
    if output == "json":
        return json.dumps([c.to_json() for c in changes] + [e.to_json() for e in experiments], indent=2,
                          ensure_ascii=False)
    text = format_changes(changes, output, title=title)
    if not experiments:
        return text
    if output == "markdown":
        lines = ["", "**Experiments**", "", *(f"- {_code(str(e))}" for e in experiments)]
        return text + "\n" + "\n".join(lines)
    return "\n".join(([] if not changes else [text]) + [str(e) for e in experiments])


def _code(text: str) -> str:
    fence = "`"
    while fence in text:
        fence += "`"
    return f"{fence}{text}{fence}"

