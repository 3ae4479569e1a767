"""``python -m appconfig_flags.ops.diff``: what a change to the flag catalogue does, per environment.

Compares the catalogue at a git ref (``--base``, default HEAD) with the working tree (or ``--head``
REF), on the documents each environment receives (defaults with overrides applied), one line per
change, then the changes of the profiles' experiments (:mod:`.experimentdiff`). Exit status 0 with or
without changes (1 with ``--fail-on-change`` when there are some), 2 when a catalogue cannot be
loaded, 3 when a change is one AppConfig refuses (a lower exposure of an experiment's run: an
``error:`` line on stderr says so). ``make flags-diff BASE=... FORMAT=...`` runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .catalogue import DEFAULT_CATALOGUE, CatalogueLoadError, render_catalogue_in_full, render_catalogue_in_full_at
from .experimentdiff import ExperimentChange, diff_experiments, refusal_message
from .flagdiff import FORMATS, FlagChange, diff_catalogues, format_changes

#: Exit status when a change is one AppConfig refuses (a run's exposure lowered).
REFUSED = 3

#: The cdk.json context key whose ``environments`` give the promotion order.
DEFAULT_CONTEXT_KEY = "flagsdemo"


def promotion_order_from_cdk_json(path: Path, context_key: str = DEFAULT_CONTEXT_KEY) -> list[str]:
    """Environment names in promotion order (each after its ``promoteAfter``), from cdk.json context.

    An empty list when the file, the key or a usable order is missing: the diff then shows
    Production first and the others alphabetically.
    """
    try:
        settings: Any = json.loads(path.read_text(encoding="utf-8"))["context"][context_key]["environments"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not isinstance(settings, dict):
        return []
    after = {name: (env.get("promoteAfter") if isinstance(env, dict) else None) for name, env in settings.items()}
    ordered: list[str] = []
    pending = list(after)
    while pending:
        ready = next((n for n in pending if after[n] not in after or after[n] in ordered), None)
        if ready is None:  # a cycle: cdk synth reports it; here the fallback order will do
            return []
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="appconfig-flags diff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD", help="git ref to compare from (default: %(default)s)")
    parser.add_argument("--head", help="git ref to compare to (default: the working tree, uncommitted edits included)")
    parser.add_argument("--catalogue", default=DEFAULT_CATALOGUE,
                        help="module that exposes PROFILES (default: %(default)s)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: %(default)s)")
    parser.add_argument("--fail-on-change", action="store_true", help="exit with status 1 when there are changes")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="directory the catalogue module is imported from (default: the current one)")
    parser.add_argument("--context-key", default=DEFAULT_CONTEXT_KEY,
                        help="cdk.json context key holding the environments' promotion order (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        before = render_catalogue_in_full_at(args.base, root=args.root, module=args.catalogue)
        if args.head is not None:
            after = render_catalogue_in_full_at(args.head, root=args.root, module=args.catalogue)
        else:
            after = render_catalogue_in_full(args.root, args.catalogue)
    except CatalogueLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Latest stage first: a reviewer reads what reaches Production before what reaches Beta.
    order = list(reversed(promotion_order_from_cdk_json(args.root / "cdk.json", args.context_key)))
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


if __name__ == "__main__":
    sys.exit(main())
