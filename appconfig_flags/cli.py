"""``appconfig-flags COMMAND [options]``: every command of the project, one argparse tree.

Each command is a node of the tree, its options added by its module's ``add_arguments(parser)`` and
run by its ``run(args)`` (the names in :data:`COMMANDS`); ``experiments`` is a group of commands. Only
the chosen command's module is imported, so ``appconfig-flags check`` does not load boto3.

The commands that read the flags take the catalogue from ``--catalogue`` or from the nearest
pyproject.toml's ``[tool.appconfig-flags] catalogue`` (:mod:`appconfig_flags.catalogue`), and the
AppConfig application and its environments from the catalogue's profiles. Python 3.10+, no
dependency beyond the standard library for everything but the AWS calls (boto3:
``pip install 'appconfig-flags[appconfigdata]'``) and ``experiments results`` (``[experiments]``).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from appconfig_flags import __version__


@dataclass(frozen=True)
class Command:
    """One command: the module that holds it, a line of help, and the names of its two functions there."""

    module: str
    help: str
    add: str = "add_arguments"
    run: str = "run"

    def functions(self) -> tuple[Callable[[argparse.ArgumentParser], None], Callable[..., int]]:
        module = importlib.import_module(self.module)
        return getattr(module, self.add), getattr(module, self.run)


_EMERGENCY = "appconfig_flags.ops.emergency"
_EXPERIMENTS = "appconfig_flags.ops.experiments"

#: The tree: a command, or a group of commands (``appconfig-flags experiments start ...``).
COMMANDS: dict[str, Command | Mapping[str, Command]] = {
    "check": Command("appconfig_flags.check", "validate the flag catalogue with the model alone (no CDK, no AWS)"),
    "diff": Command("appconfig_flags.ops.diff", "what a change to the catalogue does per environment (git refs)"),
    "status": Command("appconfig_flags.ops.status", "what is deployed per environment, compared with the code (AWS, read-only)"),
    "revert": Command(_EMERGENCY, "stop (roll back) or revert the latest flag deployment (AWS)",
                      "add_revert_arguments", "run_revert"),
    "off": Command(_EMERGENCY, "deploy the served flags with one flag disabled (AWS)", "add_off_arguments", "run_off"),
    "restore-monitors": Command(_EMERGENCY, "give an environment back the monitors its stack declares (AWS)",
                                "add_restore_monitors_arguments", "run_restore_monitors"),
    "agent-files": Command("appconfig_flags.agent_files", "write the catalogue as AppConfig Agent local-development files"),
    "report": Command("appconfig_flags.short_term_report", "list short-term flags and where their keys appear in the code"),
    "import": Command("appconfig_flags.importer.command",
                      "write a Python flag module from AppConfig documents or a deployed profile"),
    "summary": Command("appconfig_flags.assembly_summary", "what a synthesized cloud assembly (cdk.out) declares, in brief"),
    "experiments": {
        "status": Command(_EXPERIMENTS, "every run of the application's experiments (AWS, read-only)",
                          "add_status_arguments", "run_status"),
        "start": Command(_EXPERIMENTS, "start a run of an experiment (AWS)", "add_start_arguments", "run_start"),
        "raise": Command(_EXPERIMENTS, "raise the running run's exposure (AWS)", "add_raise_arguments", "run_raise"),
        "stop": Command(_EXPERIMENTS, "stop the running run with its result (AWS)", "add_stop_arguments", "run_stop"),
        "counts": Command("appconfig_flags.experiments.counts", "entities per treatment, from the Agent's assignment logs"),
        "results": Command("appconfig_flags.experiments.results_command",
                           "an experiment's result from assignment logs and outcomes (the [experiments] extra)"),
    },
}

_GROUP_HELP = {"experiments": "AppConfig experiments: runs, assignment counts and results"}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The whole tree; the options of the command ``argv`` names are added (its module imported), others only named."""
    parser = argparse.ArgumentParser(prog="appconfig-flags", description="AWS AppConfig feature flags as code: "
                                     "check, review, watch and operate the flags of a catalogue.",
                                     epilog="appconfig-flags COMMAND --help shows a command's options.")
    parser.add_argument("--version", action="version", version=f"appconfig-flags {__version__}")
    _add_nodes(parser, COMMANDS, list(argv), prog="appconfig-flags")
    return parser


def _add_nodes(parser: argparse.ArgumentParser, nodes: Mapping[str, Command | Mapping[str, Command]], argv: list[str],
               *, prog: str) -> None:
    chosen = next((a for a in argv if not a.startswith("-")), None)
    subparsers = parser.add_subparsers(dest=f"command_{prog.count(' ')}", metavar="COMMAND", required=True)
    for name, node in nodes.items():
        if isinstance(node, Mapping):
            group = subparsers.add_parser(name, help=_GROUP_HELP.get(name), description=_GROUP_HELP.get(name))
            rest = argv[argv.index(name) + 1:] if name == chosen else []
            _add_nodes(group, node, rest, prog=f"{prog} {name}")
            continue
        command = subparsers.add_parser(name, help=node.help, description=node.help)
        if name == chosen:
            add, run = node.functions()
            add(command)
            command.set_defaults(_run=run)


def main(argv: Sequence[str] | None = None, **injected: Any) -> int:
    """Run one command; its exit code (2 and argparse's usage for an unknown command or none).

    ``injected`` (``now``, ``stdin``, ``stdout``, ``stderr``, ``sleep``, ``client``...) go to the
    command's ``run`` where it takes them: tests pass clocks and streams this way.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    run: Callable[..., int] = args._run
    accepted = inspect.signature(run).parameters
    return int(run(args, **{k: v for k, v in injected.items() if k in accepted}))


if __name__ == "__main__":
    sys.exit(main())
