"""``appconfig-flags COMMAND [options]``: every command of the project, from the runtime distribution alone.

Each subcommand runs one module's own ``main(argv)`` with the remaining arguments passed through
untouched, so ``appconfig-flags COMMAND --help`` is that module's help and its options, exit codes and
one-line ``error:`` messages are the module's. ``status``, ``revert`` and ``off`` take
``--application``, ``--environments`` (promotion order) and ``--catalogue`` from the ``cdk.json`` in
the current directory when they are not given: its context key ``flagsdemo`` (``--context-key KEY``
names another) with ``applicationName`` and ``environments`` (each with an optional
``promoteAfter``), read as plain JSON. Python 3.10+, no dependency beyond the standard library for
everything but the AWS calls (boto3: ``pip install 'appconfig-flags[appconfigdata]'``).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from appconfig_flags import __version__

#: Subcommand → (module whose ``main(argv)`` runs it, one line of help).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("appconfig_flags.check", "validate a flag catalogue with the model alone (no CDK, no AWS)"),
    "diff": ("appconfig_flags.ops.diff", "what a change to the catalogue does per environment (git refs)"),
    "status": ("appconfig_flags.ops.status", "what is deployed per environment, compared with the code (AWS, read-only)"),
    "revert": ("appconfig_flags.ops.emergency", "stop (roll back) or revert the latest flag deployment (AWS)"),
    "off": ("appconfig_flags.ops.emergency", "deploy the served flags with one flag disabled (AWS)"),
    "agent-files": ("appconfig_flags.agent_files", "write the catalogue as AppConfig Agent local-development files"),
    "report": ("appconfig_flags.short_term_report", "list short-term flags and where their keys appear in the code"),
    "import": ("appconfig_flags.importer.command", "write a Python flag module from AppConfig documents or a deployed profile"),
    "summary": ("appconfig_flags.assembly_summary", "what a synthesized cloud assembly (cdk.out) declares, in brief"),
}
#: The commands that read the application's names from cdk.json when they are not given.
APP_COMMANDS = ("status", "revert", "off")
#: The cdk.json context key read by default (this repository's app).
DEFAULT_CONTEXT_KEY = "flagsdemo"
#: What ``revert``/``off`` pass before the subcommand when the module's parser cannot be read.
_GLOBAL_OPTIONS_FALLBACK = {"--application": True, "--environments": True, "--catalogue": True, "--region": True,
                            "--endpoint-url": True}


class SettingsError(Exception):
    """cdk.json exists but its application settings cannot be read."""


def app_arguments(cdk_json: Path, context_key: str = DEFAULT_CONTEXT_KEY) -> list[str]:
    """``--application``, ``--environments`` and ``--catalogue flags`` from ``cdk_json``; empty when there is no such file.

    Raises :class:`SettingsError` naming the file when it exists but has no usable settings under ``context_key``.
    """
    if not cdk_json.is_file():
        return []
    from appconfig_flags.ops.diff import promotion_order_from_cdk_json

    try:
        context: Any = json.loads(cdk_json.read_text(encoding="utf-8"))["context"][context_key]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SettingsError(f"cannot read the app's settings from {cdk_json} (context key {context_key!r}): "
                            f"{type(error).__name__}: {error}") from None
    application = context.get("applicationName") if isinstance(context, dict) else None
    if not isinstance(application, str) or not application:
        raise SettingsError(f"{cdk_json}: context.{context_key}.applicationName must be a non-empty string")
    environments = promotion_order_from_cdk_json(cdk_json, context_key)
    if not environments:
        raise SettingsError(f"{cdk_json}: context.{context_key}.environments must name the environments "
                            "(each after its promoteAfter, no cycle)")
    return ["--application", application, "--environments", ",".join(environments), "--catalogue", "flags"]


def _take_option(args: list[str], name: str, default: str) -> tuple[str, list[str]]:
    """The value of ``name`` (``--name VALUE`` or ``--name=VALUE``) and ``args`` without it."""
    value, rest, skip = default, [], False
    for i, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == name and i + 1 < len(args):
            value, skip = args[i + 1], True
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return value, rest


def _given(args: Sequence[str], option: str) -> bool:
    return any(a == option or a.startswith(option + "=") for a in args)


def _global_options(module: Any) -> dict[str, bool]:
    """The options of ``module``'s top-level parser (before its subcommand) → whether each takes a value."""
    make: Callable[[], argparse.ArgumentParser] | None = getattr(module, "_parser", None)
    try:
        parser = make() if make is not None else None
    except Exception:  # noqa: BLE001 - any other shape: the known options
        parser = None
    if parser is None:
        return dict(_GLOBAL_OPTIONS_FALLBACK)
    out: dict[str, bool] = {}
    for action in parser._actions:  # argparse has no public list of a parser's options
        if isinstance(action, (argparse._SubParsersAction, argparse._HelpAction)):
            continue
        for option in action.option_strings:
            out[option] = action.nargs != 0
    return out


def _split_global(args: list[str], options: dict[str, bool]) -> tuple[list[str], list[str]]:
    """``args`` split into the top-level parser's options (with their values) and the rest, each in order."""
    shared: list[str] = []
    own: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0]
        if name in options:
            shared.append(arg)
            if options[name] and "=" not in arg and i + 1 < len(args):
                shared.append(args[i + 1])
                i += 1
        else:
            own.append(arg)
        i += 1
    return shared, own


def _emergency_commands() -> dict[str, tuple[str, str]]:
    """Subcommands the emergency module's parser has beyond ``revert``/``off`` (a new one works with no change here)."""
    try:
        from appconfig_flags.ops import emergency

        parser = emergency._parser()
    except Exception:  # noqa: BLE001 - another shape of that module: only the commands listed above
        return {}
    out: dict[str, tuple[str, str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            out.update({name: (emergency.__name__, helps.get(name, "")) for name in action.choices
                        if name not in COMMANDS})
    return out


def _commands() -> dict[str, tuple[str, str]]:
    return {**COMMANDS, **_emergency_commands()}


def _usage() -> str:
    commands = _commands()
    width = max(len(name) for name in commands)
    lines = [f"  {name.ljust(width)}  {help}" for name, (_, help) in commands.items()]
    return "\n".join(["usage: appconfig-flags [--version] COMMAND [options]", "", "commands:", *lines, "",
                      "appconfig-flags COMMAND --help shows a command's options."])


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; its exit code (2 and the usage for an unknown command or none)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"appconfig-flags {__version__}")
        return 0
    command, rest = args[0], args[1:]
    commands = COMMANDS if command in COMMANDS else _commands()
    if command not in commands:
        print(f"error: unknown command {command!r}; the commands are {', '.join(commands)}", file=sys.stderr)
        print(_usage(), file=sys.stderr)
        return 2
    # Catalogues are imported from the working directory, as `python -m` would (a console script's path lacks it).
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    module = importlib.import_module(commands[command][0])
    if command not in APP_COMMANDS and command in COMMANDS:
        return int(module.main(rest))
    context_key, rest = _take_option(rest, "--context-key", DEFAULT_CONTEXT_KEY)
    app: list[str] = []
    if not any(a in ("-h", "--help") for a in rest) and not _given(rest, "--application"):
        try:
            app = app_arguments(Path.cwd() / "cdk.json", context_key)
        except SettingsError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        # What the person gave wins: drop the filled-in options they named themselves.
        app = [x for pair in zip(app[::2], app[1::2]) if not _given(rest, pair[0]) for x in pair]
    if command == "status":
        return int(module.main([*app, *rest]))
    # revert/off (and the emergency parser's other subcommands) share one parser: its own options go before the name.
    shared, own = _split_global(rest, _global_options(module))
    return int(module.main([*app, *shared, command, *own]))


if __name__ == "__main__":
    sys.exit(main())
