"""``python -m checkout.demo``: serve the checkout page on http://127.0.0.1:8000.

Default: the catalogue's Beta values (``--source catalogue``), no AWS account needed, rendered
again within a second of each edit to flags/*.py: flip a flag, reload the page. ``--source
agent-files`` follows the Agent local-development files the same way (``make agent-files``);
``--source local`` reads the catalogue once; ``--source appconfig`` reads AppConfig with your usual
AWS settings; ``--source agent`` reads a local agent.
"""
from __future__ import annotations

import argparse
import logging
import sys

from appconfig_flags.client import SOURCE_KINDS, FlagsClient, make_source
from flags import CHECKOUT_FLAGS

from .app import CheckoutApp
from .experiment_log import ExperimentLog
from .server import make_demo_server

#: Where the demo's orders and simulated assignments go by default (.tools/ is the project's scratch, ignored by git).
DEFAULT_EXPERIMENT_LOG = ".tools/demo-experiment"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    environments = list(CHECKOUT_FLAGS.environments or ())
    parser = argparse.ArgumentParser(prog="python -m checkout.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="Beta", choices=environments,
                        help="catalogue environment whose values --source catalogue/local serve, and the default "
                             "--environment: Beta splits the layout 20%% of US/CA users, Production offers Bitcoin "
                             "to gold customers only (default: %(default)s)")
    parser.add_argument("--source", default="catalogue", choices=SOURCE_KINDS,
                        help="where flags come from (default: %(default)s)")
    parser.add_argument("--catalogue-root", help="directory --source catalogue imports the catalogue from, in a "
                        "child process (default: the current directory)")
    parser.add_argument("--catalogue", help="catalogue module for --source catalogue (default: flags)")
    parser.add_argument("--agent-dir", help="Agent local-development directory for --source agent-files "
                        "(default: agent-local, as make agent-files writes it)")
    parser.add_argument("--app", default=None, help="AppConfig application name or ID (default: the catalogue's, FlagsDemo)")
    parser.add_argument("--environment", help="AppConfig environment name or ID (default: --env)")
    parser.add_argument("--profile", default=CHECKOUT_FLAGS.name,
                        help="AppConfig configuration profile name or ID (default: %(default)s)")
    parser.add_argument("--experiment-log", default=DEFAULT_EXPERIMENT_LOG, metavar="DIR",
                        help="where Place order writes outcomes and the simulated experiment run its assignment records, "
                             "in the Agent's file: format, for `appconfig-flags experiments results`; '' writes nothing "
                             "(default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--poll-interval", type=int, default=None,
                        help="seconds between polls (appconfig: 15 to 86400, default 45; agent: default 15; "
                             "catalogue, agent-files: default 1)")
    parser.add_argument("--region", help="AWS region for --source appconfig (default: $AWS_REGION, then "
                        "$AWS_DEFAULT_REGION, then your AWS config)")
    parser.add_argument("--endpoint-url", help="appconfigdata endpoint for --source appconfig (e.g. a local fake)")
    parser.add_argument("--agent-port", type=int, help="agent port for --source agent (default: "
                        "$AWS_APPCONFIG_EXTENSION_HTTP_PORT or 2772)")
    return parser.parse_args(argv)


def source_options(args: argparse.Namespace) -> dict[str, object]:
    """Only the options that apply to the chosen source."""
    options: dict[str, object] = {}
    if args.source == "appconfig":
        options.update(region=args.region, endpoint_url=args.endpoint_url)
    if args.source == "agent" and args.agent_port is not None:
        options["port"] = args.agent_port
    if args.source == "catalogue":
        options.update({k: v for k, v in (("root", args.catalogue_root), ("module", args.catalogue)) if v is not None})
    if args.source == "agent-files" and args.agent_dir is not None:
        options["directory"] = args.agent_dir
    if args.source != "local" and args.poll_interval is not None:
        options["poll_interval"] = args.poll_interval
    return options


def results_command(log: ExperimentLog) -> str:
    """The command that reads the demo's experiment data (simulated: the report says so)."""
    experiment = CHECKOUT_FLAGS.experiments[0].name
    return (f"python -m appconfig_flags.experiments.results_command --catalogue flags --experiment {experiment} "
            f"--assignments {log.assignments} --outcomes {log.outcomes} --binary bitcoin-order --simulated")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    environment = args.env if args.source in ("local", "catalogue") else (args.environment or args.env)
    try:
        source = make_source(args.source, profile=CHECKOUT_FLAGS, environment=environment, application=args.app,
                             profile_name=args.profile, **source_options(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS)
    if not client.start(wait=3.0):
        status = client.status()
        print(f"warning: no flags loaded from {status.source} yet ({status.last_error_code}: {status.last_error}); "
              "the page shows the flag's declared default until they load", file=sys.stderr)
    log = ExperimentLog(args.experiment_log, application=args.app) if args.experiment_log else None
    try:
        server = make_demo_server(CheckoutApp(client, environment=environment, experiment_log=log), port=args.port)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc} (try --port)", file=sys.stderr)
        client.close()
        return 2
    print(f"Checkout demo on http://127.0.0.1:{server.server_port}/ (flags from {source.name}); Ctrl-C stops it",
          flush=True)
    if log is not None:
        print(f"Orders and the simulated experiment's assignments go to {log.directory}/; read the result with:\n"
              f"  {results_command(log)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
