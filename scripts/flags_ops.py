"""`make flags-status/flags-revert/flags-off/flags-restore-monitors`: the ops CLIs with this app's inputs read from cdk.json.

``python -m scripts.flags_ops status|revert|off|restore-monitors [options]`` runs ``appconfig_flags.ops.status`` or
``.emergency`` with ``--application``, ``--environments`` (promotion order) and ``--catalogue flags``
taken from the ``flagsdemo`` context, so nobody copies names or IDs by hand.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def app_arguments(cdk_json: Path = ROOT / "cdk.json") -> list[str]:
    from stacks.settings import FlagsDemoSettings, SettingsError

    try:
        context = json.loads(cdk_json.read_text())["context"].get("flagsdemo")
        settings = FlagsDemoSettings.from_context(context)
    except (OSError, ValueError, KeyError) as error:
        raise SystemExit(f"error: cannot read the app's settings from {cdk_json}: {error}") from None
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    return ["--application", settings.application_name, "--environments", ",".join(settings.environment_names),
            "--catalogue", "flags"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("status", "revert", "off", "restore-monitors"):
        print("usage: python -m scripts.flags_ops status|revert|off|restore-monitors [options]", file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    if command == "status":
        from appconfig_flags.ops import status

        return status.main([*app_arguments(), *rest])
    from appconfig_flags.ops import emergency

    # Options of the whole tool (--region, --endpoint-url) go before the subcommand.
    shared = [a for i, a in enumerate(rest) if a in ("--region", "--endpoint-url") or
              (i > 0 and rest[i - 1] in ("--region", "--endpoint-url"))]
    own = [a for a in rest if a not in shared]
    return emergency.main([*app_arguments(), *shared, command, *own])


if __name__ == "__main__":
    raise SystemExit(main())
