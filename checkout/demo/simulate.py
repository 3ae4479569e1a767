"""``python -m checkout.demo.simulate``: made-up US visitors place orders on the demo page, for an experiment result to read.

Each visitor (``sim-00001``...) opens the page as a standard-tier US user (so the Beta experiment's
simulated run may expose them and log their assignment, as the page does for any visitor) and
orders with probability ``--order-rate``, paying in Bitcoin with a probability that grows with the
discount the page shows them (``--btc-per-percent`` per percent: 10% at 5% off, 20% at 10% off, by
default). **Made-up behaviour, simulated assignment**: the numbers show how to read a result, not
how real customers behave. It writes where ``python -m checkout.demo`` does (``--experiment-log``)
and prints the command that reads the result.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
from typing import Any
from urllib.parse import urlencode

from appconfig_flags.client import FlagsClient, LocalSource
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

from .__main__ import DEFAULT_EXPERIMENT_LOG, results_command
from .app import CheckoutApp
from .experiment_log import ExperimentLog
from .personas import Persona


def _call(app: CheckoutApp, method: str, path: str, query: str = "", body: bytes = b"") -> str:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    b"".join(app(environ, start_response))
    return str(seen["status"])


def simulate(log: ExperimentLog, *, visitors: int, seed: int, order_rate: float, btc_per_percent: float,
             environment: str = "Beta") -> int:
    """Run ``visitors`` visits through the page's own WSGI app; the number of orders placed."""
    rng = random.Random(seed)
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, environment), catalogue=CHECKOUT_FLAGS, background=False)
    client.poll()
    app = CheckoutApp(client, environment=environment, experiment_log=log)
    orders = 0
    for index in range(1, visitors + 1):
        persona = Persona("Simulated visitor", tier="standard", country="US", user_id=f"sim-{index:05d}")
        query = urlencode(persona.context)
        if _call(app, "GET", "/", query) != "200 OK":
            raise RuntimeError(f"the page failed for {persona.user_id}")
        if rng.random() >= order_rate:
            continue
        state = client.get(ALLOW_BITCOIN_AT_CHECKOUT, persona.context, entity_id=persona.entity_id)
        percent = state.value("bitcoin-discount-percentage") if state.enabled else 0
        discount = float(percent) if isinstance(percent, (int, float)) and not isinstance(percent, bool) else 0.0
        currency = "BTC" if rng.random() < btc_per_percent * discount else "USD"
        form = urlencode({**persona.context, "currency": currency}).encode()
        if _call(app, "POST", "/order", body=form) != "303 See Other":
            raise RuntimeError(f"the order failed for {persona.user_id}")
        orders += 1
    return orders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checkout.demo.simulate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=4000, help="visitors (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=32, help="random seed (default: %(default)s)")
    parser.add_argument("--order-rate", type=float, default=0.6, help="share who order (default: %(default)s)")
    parser.add_argument("--btc-per-percent", type=float, default=0.02,
                        help="chance of paying in BTC per percent of discount shown (default: %(default)s)")
    parser.add_argument("--experiment-log", default=DEFAULT_EXPERIMENT_LOG, metavar="DIR",
                        help="where to write (default: %(default)s, as the demo)")
    args = parser.parse_args(argv)
    if args.visitors < 1 or not 0 <= args.order_rate <= 1 or args.btc_per_percent < 0:
        parser.error("--visitors is at least 1, --order-rate from 0 to 1, --btc-per-percent 0 or more")
    log = ExperimentLog(args.experiment_log)
    orders = simulate(log, visitors=args.visitors, seed=args.seed, order_rate=args.order_rate,
                      btc_per_percent=args.btc_per_percent)
    print(f"{args.visitors} simulated visitors placed {orders} orders; logs in {log.directory}/. Read the result:\n"
          f"  {results_command(log)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
