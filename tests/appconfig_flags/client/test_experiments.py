"""Experiments at run time: the Agent's treatment reaches FlagState and OpenFeature; local sources simulate a run.

The Agent here is a local fake (test_agent.FakeAgent) answering as "Retrieving experiment treatments"
(AWS AppConfig User Guide) shows: ``{"_variant": "__t1__", "enabled": true, ...}`` for ``?flag=KEY``
with an ``Entity-Id``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from openfeature.evaluation_context import EvaluationContext
from openfeature.flag_evaluation import Reason

from appconfig_flags.client import FlagsClient, LocalSource, Resolution, make_source
from appconfig_flags.client.experiments import SimulatedExperiment, treatment_of
from appconfig_flags.client.provider import AppConfigProvider
from appconfig_flags.model import retrieval_form
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS
from flags.checkout import BITCOIN_DISCOUNT_EXPERIMENT

from .conftest import FakeClock, no_jitter_client
from .test_agent import FakeAgent

PROFILE_PATH = "/applications/FlagsDemo/environments/Beta/configurations/CheckoutFlags"
TREATED = {"_variant": "__t1__", "enabled": True, "default-currency": "USD", "bitcoin-discount-percentage": 10,
           "bitcoin-discount-end-date": "12/31/2026"}


@pytest.fixture
def agent() -> Iterator[FakeAgent]:
    fake = FakeAgent()
    fake.body = json.dumps(retrieval_form(CHECKOUT_FLAGS, "Beta")).encode()
    yield fake
    fake.close()


def agent_client(agent: FakeAgent, clock: FakeClock, **options: object) -> FlagsClient:
    source = make_source("agent", profile=CHECKOUT_FLAGS, environment="Beta", host="127.0.0.1", port=agent.port,
                         **options)
    client = no_jitter_client(source, clock)
    client.poll()
    agent.body = json.dumps(TREATED).encode()  # from now on the Agent answers for the one flag asked
    return client


@pytest.mark.parametrize(("variant", "treatment"), [
    ("__t1__", "t1"), ("__c__", "c"), ("__t5__", "t5"), ("gold-tier-discount", None), ("__t-1__", None), ("____", None)])
def test_the_treatment_is_the_key_between_double_underscores(variant: str, treatment: str | None) -> None:
    assert treatment_of(variant) == treatment


def test_an_experiment_flag_read_with_an_entity_id_asks_the_agent_and_reports_the_treatment(
        agent: FakeAgent, clock: FakeClock) -> None:
    client = agent_client(agent, clock)
    state = client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"}, entity_id="user-1001")
    path, headers = agent.requests[-1]
    assert path == f"{PROFILE_PATH}?flag=allow-bitcoin-at-checkout"
    assert (headers["Entity-Id"], headers["Context"]) == ("user-1001", "country=US")
    assert (state.treatment, state.variant, state.resolution) == ("t1", "__t1__", Resolution.SERVED)
    assert state.value("bitcoin-discount-percentage") == 10


def test_without_an_entity_id_nothing_is_asked(agent: FakeAgent, clock: FakeClock) -> None:
    client = agent_client(agent, clock)
    before = len(agent.requests)
    plain = client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"})
    assert (plain.treatment, plain.value("bitcoin-discount-percentage")) == (None, 5)  # the deployed flag
    assert len(agent.requests) == before


def test_a_basic_flag_no_experiment_runs_on_is_not_asked_for_even_with_an_entity_id(
        agent: FakeAgent, clock: FakeClock) -> None:
    client = agent_client(agent, clock, experiment_flags=())
    before = len(agent.requests)
    state = client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"}, entity_id="user-1001")
    assert (len(agent.requests), state.treatment) == (before, None)


def test_make_source_takes_the_experiment_flags_of_the_environment() -> None:
    beta = make_source("agent", profile=CHECKOUT_FLAGS, environment="Beta")
    production = make_source("agent", profile=CHECKOUT_FLAGS, environment="Production")
    assert (beta.experiment_flags, production.experiment_flags) == (  # type: ignore[attr-defined]
        frozenset({"allow-bitcoin-at-checkout"}), frozenset())


def test_the_openfeature_provider_reports_the_treatment_as_variant_and_metadata(
        agent: FakeAgent, clock: FakeClock) -> None:
    provider = AppConfigProvider(agent_client(agent, clock), targeting_key_as_entity_id=True)
    details = provider.resolve_integer_details("allow-bitcoin-at-checkout.bitcoin-discount-percentage", 0,
                                               EvaluationContext("user-1001", {"country": "US"}))
    assert (details.value, details.variant, details.reason) == (10, "t1", Reason.SPLIT)
    assert details.flag_metadata["experiment-treatment"] == "t1"
    assert agent.requests[-1][1]["Entity-Id"] == "user-1001"


def test_a_control_answer_is_treatment_c(agent: FakeAgent, clock: FakeClock) -> None:
    client = agent_client(agent, clock)
    agent.body = json.dumps({**TREATED, "_variant": "__c__", "bitcoin-discount-percentage": 5}).encode()
    state = client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"}, entity_id="user-1002")
    assert (state.treatment, state.value("bitcoin-discount-percentage")) == ("c", 5)


# -- local sources: a simulated run (not AppConfig's bucketing) -------------------------------------
def local_client() -> FlagsClient:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
    client.start()
    return client


def test_local_assignment_is_deterministic_and_follows_exposure_and_weights() -> None:
    client = local_client()
    states = [client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"}, entity_id=f"user-{i}") for i in range(4000)]
    again = [client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "US"}, entity_id=f"user-{i}") for i in range(4000)]
    assert [s.treatment for s in states] == [s.treatment for s in again]
    counts = {key: sum(s.treatment == key for s in states) for key in ("c", "t1", None)}
    # 50% exposure, then 50/50 weights: about 1000 each in c and t1, 2000 not in the run.
    assert 1800 <= counts[None] <= 2200 and 900 <= counts["c"] <= 1100 and 900 <= counts["t1"] <= 1100, counts
    assert {s.value("bitcoin-discount-percentage") for s in states if s.treatment == "t1"} == {10}
    assert {s.value("bitcoin-discount-percentage") for s in states if s.treatment is None} == {5}  # the deployed flag
    treated = [s for s in states if s.treatment == "t1"]
    assert all(s is treated[0] for s in treated)  # one state per treatment and version, as for local variants


def test_outside_the_audience_no_one_is_assigned() -> None:
    client = local_client()
    states = [client.get(ALLOW_BITCOIN_AT_CHECKOUT, {"country": "CA"}, entity_id=f"user-{i}") for i in range(200)]
    assert {s.treatment for s in states} == {None}


def test_overrides_pin_an_entity_and_no_run_exposes_no_one() -> None:
    pinned = BITCOIN_DISCOUNT_EXPERIMENT.to_json()
    pinned["run"] = {"exposure": 0, "overrides": {"qa-1": "t1"}}
    simulated = SimulatedExperiment.from_json(pinned)
    assert simulated is not None
    data = simulated.assign({"country": "GB"}, "qa-1")
    assert data is not None and data.variant == "__t1__"
    assert simulated.assign({"country": "US"}, "user-1") is None  # 0% exposure
    assert SimulatedExperiment.from_json({**pinned, "run": None}) is None


def test_the_catalogue_source_simulates_the_catalogues_run_in_its_environment_only() -> None:
    from appconfig_flags.client import CatalogueFileSource, Snapshot
    from tests.conftest import ROOT

    beta, production = (CatalogueFileSource("CheckoutFlags", env, root=ROOT).fetch() for env in ("Beta", "Production"))
    assert isinstance(beta, Snapshot) and isinstance(production, Snapshot)
    assert (set(beta.experiments), set(production.experiments)) == ({"allow-bitcoin-at-checkout"}, set())
    assert beta.experiments["allow-bitcoin-at-checkout"] == SimulatedExperiment.from_json(
        BITCOIN_DISCOUNT_EXPERIMENT.to_json())


def test_a_changed_run_is_a_change_of_its_flag() -> None:
    from appconfig_flags.client import ClientEvent, EventDetails, Snapshot
    from appconfig_flags.client.targeting import snapshot_from_profile

    before = BITCOIN_DISCOUNT_EXPERIMENT.to_json()
    after = {**before, "run": {**before["run"], "exposure": 80}}
    snapshots = [snapshot_from_profile(CHECKOUT_FLAGS, "Beta", version_label=str(i), experiments=[run])
                 for i, run in enumerate((before, after))]

    class Source:
        name = "test"
        poll_interval = 0.0

        def fetch(self) -> Snapshot:
            return snapshots.pop(0)

        def reset(self) -> None: ...

        def close(self) -> None: ...

    heard: list[tuple[ClientEvent, EventDetails]] = []
    client = FlagsClient(Source(), catalogue=CHECKOUT_FLAGS, background=False)
    client.subscribe(lambda event, details: heard.append((event, details)))
    client.poll()
    client.poll()
    assert [(e, d.flags_changed) for e, d in heard if e is ClientEvent.CHANGED] == [
        (ClientEvent.CHANGED, ("allow-bitcoin-at-checkout",))]
