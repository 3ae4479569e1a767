"""appconfig_flags.testing: chosen values through a real client, a local Agent, and the pytest plugin."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
from typing import Any

import pytest

from appconfig_flags.client import AgentSource, FlagsClient, Resolution
from appconfig_flags.model import Attribute, Flag, FlagValidationError, FlagValue, Profile, Rule, Variant
from appconfig_flags.testing import LocalAgent, ServedFlags
from tests.conftest import ROOT

CHECKOUT = Flag(key="checkout", attributes=(Attribute.string("currency", enum=("USD", "BTC"), required=True),),
                enabled=False, values={"currency": "USD"},
                environments={"Beta": FlagValue(enabled=True)})
LAYOUT = Flag(key="layout")
PROFILE = Profile(name="Shop", flags=(CHECKOUT, LAYOUT), application="Shop", environments=("Beta", "Prod"))
GOLD = [Variant(name="gold", enabled=True, rule=Rule.eq("tier", "gold"), values={"currency": "BTC"}),
        Variant(name="others", enabled=False, values={"currency": "USD"})]


def test_the_client_serves_the_environment_then_each_value_set() -> None:
    with ServedFlags(PROFILE, "Beta") as served:
        client = served.client
        assert client.enabled(CHECKOUT) and client.value(CHECKOUT, "currency") == "USD"
        served.set(CHECKOUT, values={"currency": "BTC"})
        assert client.get(CHECKOUT).values == {"currency": "BTC"} and client.enabled(CHECKOUT)
        served.set("checkout", enabled=False)
        assert not client.enabled(CHECKOUT)
        assert client.get(CHECKOUT).resolution is Resolution.SERVED
        served.reset()
        assert client.enabled(CHECKOUT) and client.value(CHECKOUT, "currency") == "USD"


def test_variants_are_evaluated_for_each_reads_context() -> None:
    with ServedFlags(PROFILE, "Prod") as served:
        served.set(CHECKOUT, variants=GOLD)
        gold = served.client.get(CHECKOUT, {"tier": "gold"})
        assert (gold.variant, gold.enabled, gold.values["currency"]) == ("gold", True, "BTC")
        assert served.client.get(CHECKOUT, {"tier": "silver"}).variant == "others"


def test_a_value_the_attribute_refuses_raises_and_changes_nothing() -> None:
    with ServedFlags(PROFILE, "Beta") as served:
        with pytest.raises(FlagValidationError, match=r"Shop@Beta/checkout/currency"):
            served.set(CHECKOUT, values={"currency": "EUR"})
        assert served.client.value(CHECKOUT, "currency") == "USD"
        with pytest.raises(KeyError, match="no flag 'nope'"):
            served.set("nope", enabled=True)
    with pytest.raises(ValueError, match="no environment 'Staging'"):
        ServedFlags(PROFILE, "Staging")


def _get(agent: LocalAgent, path: str, **headers: str) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_local_agent_answers_as_the_agent_does() -> None:
    path = "/applications/App/environments/Beta/configurations/Shop"
    with ServedFlags(PROFILE, "Beta") as served, LocalAgent(served) as agent:
        served.set(CHECKOUT, variants=GOLD)
        status, body = _get(agent, path)
        assert status == 200
        assert body == {"checkout": {"_variant": "others", "enabled": False}, "layout": {"enabled": False}}
        # One ?flag=: the bare flag object, evaluated for the Context header.
        assert _get(agent, f"{path}?flag=checkout", Context="tier=gold") == (
            200, {"_variant": "gold", "enabled": True, "currency": "BTC"})
        assert _get(agent, f"{path}?flag=checkout&flag=layout")[1].keys() == {"checkout", "layout"}
        assert _get(agent, f"{path}?flag=nope")[0] == 404
        assert _get(agent, "/elsewhere")[0] == 404
        assert _get(agent, path, Context="tier")[0] == 400


def test_an_agent_source_reads_the_local_agent_with_context() -> None:
    with ServedFlags(PROFILE, "Beta") as served, LocalAgent(served) as agent:
        served.set(CHECKOUT, variants=GOLD)
        client = FlagsClient(AgentSource(application="App", environment="Beta", profile="Shop", port=agent.port),
                             catalogue=PROFILE, background=False)
        client.start()
        try:
            assert client.get(CHECKOUT, {"tier": "gold"}).variant == "gold"
            assert client.get(CHECKOUT).variant == "others"
        finally:
            client.close()
        assert agent.requests[-1][1]["Context"] == "tier=gold"


def test_importing_the_toolkit_does_not_import_pytest() -> None:
    result = subprocess.run([sys.executable, "-c", "import sys, appconfig_flags.testing; print('pytest' in sys.modules)"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


PLUGIN_CONFTEST = """
import pytest
from appconfig_flags.model import Attribute, Flag, Profile

CHECKOUT = Flag(key="checkout", attributes=(Attribute.string("currency", required=True),), values={"currency": "USD"})

@pytest.fixture
def flags_profile():
    return Profile(name="Shop", flags=(CHECKOUT,), application="Shop", environments=("Beta",))

@pytest.fixture
def flags_environment():
    return "Beta"
"""

PLUGIN_TESTS = """
import os
from appconfig_flags.client import make_source, FlagsClient
from conftest import CHECKOUT

def code_under_test(client):
    return client.value(CHECKOUT, "currency") if client.enabled(CHECKOUT) else "off"

def test_served(served_flags):
    assert code_under_test(served_flags.client) == "off"
    served_flags.set(CHECKOUT, enabled=True, values={"currency": "BTC"})
    assert code_under_test(served_flags.client) == "BTC"

def test_each_test_starts_from_the_catalogue(served_flags):
    assert code_under_test(served_flags.client) == "off"

def test_agent(served_flags, flags_agent):
    served_flags.set(CHECKOUT, enabled=True)
    assert os.environ["AWS_APPCONFIG_EXTENSION_HTTP_PORT"] == str(flags_agent.port)
    client = FlagsClient(make_source("agent", profile=served_flags.profile, environment="Beta"),
                         catalogue=served_flags.profile, background=False)
    client.start()
    assert code_under_test(client) == "USD"
    client.close()
"""


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester running pytest in a child process that imports this checkout's packages."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return pytester


def test_the_pytest_plugin_gives_each_test_the_catalogue_and_an_agent_and_names_a_missing_fixture(
        pytester: pytest.Pytester) -> None:
    # One pytest run (a child process, as a user's would be) of two projects: one that defines the fixtures
    # the plugin asks for, one that forgot them.
    shop = pytester.mkdir("shop")
    (shop / "conftest.py").write_text(PLUGIN_CONFTEST)
    (shop / "test_plugin.py").write_text(PLUGIN_TESTS)
    forgot = pytester.mkdir("forgot")
    (forgot / "test_forgot.py").write_text("def test_it(served_flags):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "appconfig_flags.testing", "-p", "no:cacheprovider", "-rE")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*define a `flags_profile` fixture in your conftest.py*"])
    result.stdout.fnmatch_lines(["ERROR forgot/test_forgot.py::test_it*"])


def test_an_experiment_follows_its_flag_to_the_value_set() -> None:
    from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

    assert [e.flag for e in CHECKOUT_FLAGS.experiments] == [ALLOW_BITCOIN_AT_CHECKOUT]  # the catalogue runs one
    with ServedFlags(CHECKOUT_FLAGS, "Beta") as served:
        served.set(ALLOW_BITCOIN_AT_CHECKOUT, values={"bitcoin-discount-percentage": 7})
        (experiment,) = served.profile.experiments
        assert experiment.flag is next(f for f in served.profile.flags if f.key == ALLOW_BITCOIN_AT_CHECKOUT.key)
        assert served.client.value(ALLOW_BITCOIN_AT_CHECKOUT, "bitcoin-discount-percentage") == 7
