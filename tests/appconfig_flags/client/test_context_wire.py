"""Context reads on the wire: the ``Context`` and ``Entity-Id`` headers AgentSource sends to a local fake
Agent, and Ion content from a local appconfigdata endpoint (the profile once it holds variants).

The answers are the tests' own catalogue's (targeted_catalogue.py): in Beta, two enabled Bitcoin variants."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from appconfig_flags.client import AgentSource, FlagsClient, Resolution
from appconfig_flags.client.errors import UnsupportedContentError
from appconfig_flags.client.ion import write_ion
from appconfig_flags.client.targeting import ion_flags
from appconfig_flags.model import retrieval_form
from tests.fakes.appconfigdata import FakeAppConfigData

from .conftest import FakeClock, appconfig_source, closed_port, no_jitter_client
from .targeted_catalogue import BITCOIN, LAYOUT, TARGETED
from .test_agent import FakeAgent, source

#: The Agent's answer without context: each multi-variant flag carries _variant, basic flags do not.
NO_CONTEXT = {BITCOIN.key: {"_variant": "standard-discount", "enabled": True, "bitcoin-discount-percentage": 5},
              LAYOUT.key: {"enabled": False}}
GOLD = {"_variant": "gold-tier-discount", "enabled": True, "bitcoin-discount-percentage": 10}
PROFILE_PATH = "/applications/FlagsDemo/environments/Beta/configurations/CheckoutFlags"


@pytest.fixture
def agent() -> Iterator[FakeAgent]:
    fake = FakeAgent()
    fake.body = json.dumps(NO_CONTEXT).encode()
    yield fake
    fake.close()


def polled(agent: FakeAgent, clock: FakeClock, **options: object) -> FlagsClient:
    client = no_jitter_client(source(agent, **options), clock)
    client.poll()
    agent.body = json.dumps(GOLD).encode()  # from now on, the agent answers for one flag and a context
    return client


def test_a_context_read_sends_one_context_header_and_the_entity_id(agent: FakeAgent, clock: FakeClock) -> None:
    client = polled(agent, clock)
    state = client.get(BITCOIN, {"tier": "gold", "age": 70, "beta": True, "country": None}, entity_id="e-7f3a")
    path, headers = agent.requests[-1]
    assert path == f"{PROFILE_PATH}?flag=allow-bitcoin-at-checkout"
    assert headers["Context"] == "tier=gold,age=70,beta=true"  # None is an absent key
    assert headers["Entity-Id"] == "e-7f3a"
    assert (state.variant, state.value("bitcoin-discount-percentage"), state.resolution) == (
        "gold-tier-discount", 10, Resolution.SERVED)
    assert state.value("default-currency") == "USD"  # the declared default fills what the variant leaves out


def test_without_entity_id_no_entity_id_header_is_sent(agent: FakeAgent, clock: FakeClock) -> None:
    polled(agent, clock).get(BITCOIN, {"tier": "gold"})
    assert "Entity-Id" not in agent.requests[-1][1] and agent.requests[-1][1]["Context"] == "tier=gold"


def test_reads_without_context_and_reads_of_basic_flags_send_nothing(agent: FakeAgent, clock: FakeClock) -> None:
    client = polled(agent, clock)
    before = len(agent.requests)
    assert client.get(BITCOIN).variant == "standard-discount"
    assert client.get(LAYOUT, {"tier": "gold"}).enabled is False  # no _variant: the same for every context
    assert len(agent.requests) == before


@pytest.mark.parametrize(("context", "entity_id", "message"), [
    ({"tier": "gold,platinum"}, None, "cannot be sent in the Context header"),
    ({"tier": "g\u00f6ld"}, None, "cannot be sent in the Context header"),
    ({"bad key": "x"}, None, "keys match"),
    ({"tier": ["gold"]}, None, "is a list"),
    ({"tier": "g" * 1025}, None, "more than the 1024"),
    ({"tier": "gold"}, "a,b", "Entity-Id is 1 to 2048 characters"),
    ({"tier": "gold"}, "x" * 2049, "Entity-Id is 1 to 2048 characters"),
    ({"tier": "gold"}, "", "Entity-Id is 1 to 2048 characters"),
])
def test_a_context_it_cannot_send_is_refused_before_any_request(
        agent: FakeAgent, clock: FakeClock, context: dict[str, object], entity_id: str | None, message: str) -> None:
    client = polled(agent, clock)
    before = len(agent.requests)
    state = client.get(BITCOIN, context, entity_id=entity_id)
    assert len(agent.requests) == before
    assert state.resolution is Resolution.INVALID_CONTEXT and message in (state.error or "")
    assert (state.enabled, state.variant) == (False, None)  # the declared default


def test_an_agent_that_does_not_answer_gives_the_flag_without_context(agent: FakeAgent, clock: FakeClock) -> None:
    src = source(agent)
    client = no_jitter_client(src, clock)
    client.poll()
    src.port = closed_port()
    state = client.get(BITCOIN, {"tier": "gold"})
    assert (state.resolution, state.variant, state.value("bitcoin-discount-percentage")) == (
        Resolution.NOT_TARGETED, "standard-discount", 5)
    assert "ConnectionRefusedError" in (state.error or "")


def test_an_unusable_answer_for_a_context_gives_the_flag_without_context(agent: FakeAgent, clock: FakeClock) -> None:
    client = polled(agent, clock)
    agent.body = b'{"enabled": "yes"}'
    state = client.get(BITCOIN, {"tier": "gold"})
    assert state.resolution is Resolution.NOT_TARGETED and "enabled: must be true or false" in (state.error or "")


def test_context_timeout_is_bounded() -> None:
    with pytest.raises(ValueError, match="context_timeout must be 0.05 to 3 seconds"):
        AgentSource(application="a", environment="e", profile="p", context_timeout=5.0)


# -- appconfigdata: Ion is refused, last good kept --------------------------------------------------
def test_ion_from_appconfigdata_keeps_the_last_good_version(clock: FakeClock) -> None:
    with FakeAppConfigData(next_poll_interval=45) as fake:
        fake.deploy(retrieval_form(TARGETED, "Production"), label="1")
        client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
        clock.advance(client.poll())
        fake.deploy(write_ion(ion_flags(TARGETED, "Beta")),
                    content_type="application/ion; type=AWS.AppConfig.FeatureFlags", label="2")
        errors: list[Exception] = []
        original = client._source.fetch  # type: ignore[attr-defined]

        def recording_fetch() -> object:
            try:
                return original()
            except Exception as exc:
                errors.append(exc)
                raise

        client._source.fetch = recording_fetch  # type: ignore[attr-defined]
        clock.advance(client.poll())
    status = client.status()
    assert (status.version_label, status.rejected_version, status.last_error_code) == ("1", "2", "UnsupportedContentType")
    assert "read this profile through the Agent (AgentSource)" in (status.last_error or "")
    (error,) = errors
    assert isinstance(error, UnsupportedContentError) and error.content_type.startswith("application/ion")
    state = client.get(BITCOIN, {"tier": "gold"})  # basic values only: the context changes nothing
    assert (state.enabled, state.variant, state.resolution) == (False, None, Resolution.SERVED)
