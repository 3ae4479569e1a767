"""Flags client: cost of a cached read, and AWS calls per poll interval under concurrent load.

Run: ``python -m bench client`` (or ``make bench``). Needs no AWS account: the poller talks to
``FakeAppConfigData`` on 127.0.0.1, signing with dummy credentials.
"""
from __future__ import annotations

import itertools
import statistics
import threading
import time
import timeit

from appconfig_flags.client import AppConfigDataSource, FlagsClient, LocalSource
from appconfig_flags.client.appconfigdata import default_client_factory
from appconfig_flags.model import retrieval_form
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from tests.fakes.appconfigdata import GET, START, FakeAppConfigData

#: Load test: reader threads, seconds, and the poll interval the fake endpoint asks for.
READERS = 8
DURATION = 5.0
INTERVAL = 1


def _fake_session() -> object:
    import boto3

    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1")


def _source(fake: FakeAppConfigData) -> AppConfigDataSource:
    factory = default_client_factory(region="us-east-1", endpoint_url=fake.endpoint_url, session_factory=_fake_session)
    return AppConfigDataSource(application="FlagsDemo", environment="Beta", profile="CheckoutFlags",
                               client_factory=factory)


def _median_ns(statement: object, number: int = 200_000, repeat: int = 7) -> float:
    runs = timeit.repeat(statement, number=number, repeat=repeat)  # type: ignore[arg-type]
    return statistics.median(runs) / number * 1e9


def cached_reads() -> dict[str, float]:
    """Median nanoseconds per read once a configuration is loaded; and one HTTP fetch, for scale."""
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    figures = {
        "enabled": _median_ns(lambda: client.enabled(BITCOIN)),
        "value": _median_ns(lambda: client.value(BITCOIN, "bitcoin-discount-percentage")),
        "get": _median_ns(lambda: client.get(BITCOIN)),
    }
    with FakeAppConfigData() as fake:
        fake.deploy(retrieval_form(CHECKOUT_FLAGS, "Beta"), label="1")
        source = _source(fake)
        source.fetch()
        figures["http"] = _median_ns(source.fetch, number=50, repeat=5)
    return figures


def calls_under_load(readers: int, *, pause: float) -> dict[str, float]:
    """``readers`` threads read for DURATION s while the poller runs against the fake endpoint.

    Each reader does 100 reads, then sleeps ``pause`` s: like a request handler waiting on I/O
    (``pause=0``: CPU-bound readers that contend for the GIL all the time).
    """
    with FakeAppConfigData(next_poll_interval=INTERVAL, enforce_interval=True) as fake:
        fake.deploy(retrieval_form(CHECKOUT_FLAGS, "Beta"), label="1")
        client = FlagsClient(_source(fake), catalogue=CHECKOUT_FLAGS)
        stop = threading.Event()
        counts = [0] * readers

        def read(slot: int) -> None:
            n = 0
            while not stop.is_set():
                for _ in range(100):
                    client.enabled(BITCOIN)
                n += 100
                if pause:
                    time.sleep(pause)
            counts[slot] = n

        threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
        client.start(wait=5)  # warm up first, as docs/runtime.md recommends: the boto3 client exists
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(DURATION)
        stop.set()
        ended = time.monotonic()
        for thread in threads:
            thread.join()
        client.close()
        gets = [g for g in fake.operations(GET) if started <= g.at <= ended]
        gaps = [b.at - a.at for a, b in itertools.pairwise(gets)]
        return {
            "reads": sum(counts), "seconds": ended - started, "gets": len(gets),
            "sessions": len(fake.operations(START)), "too_early": sum(1 for g in gets if g.status == 400),
            "min_gap": min(gaps, default=0.0), "median_gap": statistics.median(gaps) if gaps else 0.0,
        }


def main() -> None:
    reads = cached_reads()
    print(f"cached read, median of 7 x 200k: enabled() {reads['enabled']:.0f} ns, value() {reads['value']:.0f} ns, "
          f"get() {reads['get']:.0f} ns  (goal < 2000 ns)")
    print(f"one GetLatestConfiguration to a local endpoint: {reads['http'] / 1000:.0f} us "
          f"= {reads['http'] / reads['enabled']:.0f}x a cached read  (goal >= 100x)")
    print(f"poll interval {INTERVAL} s (fake endpoint), {DURATION:.0f} s per run:")
    for readers, pause, kind in ((0, 0.0, "idle"), (READERS, 0.001, "I/O-bound"), (READERS, 0.0, "CPU-bound")):
        load = calls_under_load(readers, pause=pause)
        rate = f"{load['reads'] / load['seconds']:,.0f} reads/s" if readers else "no reads"
        per_interval = INTERVAL / load["median_gap"] if load["median_gap"] else 0.0
        print(f"  {readers} {kind} readers ({rate}): {load['gets']:.0f} GetLatestConfiguration calls in "
              f"{load['seconds']:.1f} s, gaps min {load['min_gap']:.2f} s median {load['median_gap']:.2f} s "
              f"= {per_interval:.2f} call per interval; {load['sessions']:.0f} session, "
              f"{load['too_early']:.0f} 'Request too early'")
    print(f"  goal: at most 1 call per interval whatever the read rate; at the default 45 s interval that is "
          f"{60 / 45:.2f} calls per minute per process")


if __name__ == "__main__":
    main()
