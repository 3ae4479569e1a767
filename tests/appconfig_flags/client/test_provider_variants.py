"""The OpenFeature provider with variants: the evaluation context becomes the flags context, the variant is reported.

Against the tests' own catalogue (targeted_catalogue.py): in Beta, a gold-tier and a standard Bitcoin variant.
"""
from __future__ import annotations

import json

from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

from appconfig_flags.client import FlagsClient, LocalSource
from appconfig_flags.client.provider import AppConfigProvider

from .targeted_catalogue import TARGETED
from .test_agent import FakeAgent, source
from .test_context_wire import GOLD, NO_CONTEXT

BITCOIN = "allow-bitcoin-at-checkout"
LAYOUT = "new-checkout-layout"


def beta_provider(**options: object) -> AppConfigProvider:
    client = FlagsClient(LocalSource(TARGETED, "Beta"), catalogue=TARGETED, background=False)
    client.start()
    return AppConfigProvider(client, **options)  # type: ignore[arg-type]


def test_attributes_select_the_variant_and_it_is_reported() -> None:
    details = beta_provider().resolve_integer_details(f"{BITCOIN}.bitcoin-discount-percentage", 0,
                                                      EvaluationContext(attributes={"tier": "gold"}))
    assert (details.value, details.variant, details.reason, details.error_code) == (
        10, "gold-tier-discount", Reason.TARGETING_MATCH, None)


def test_the_targeting_key_is_the_user_id_by_default() -> None:
    in_split = EvaluationContext(targeting_key="user-1004", attributes={"country": "CA"})
    details = beta_provider().resolve_string_details(f"{LAYOUT}.layout", "classic", in_split)
    assert (details.value, details.variant) == ("compact", "compact-layout")
    other = beta_provider().resolve_boolean_details(LAYOUT, True, EvaluationContext("user-1001", {"country": "CA"}))
    assert (other.value, other.variant) == (False, "classic-layout")


def test_the_targeting_key_name_is_configurable() -> None:
    provider = beta_provider(targeting_key_name="tier")
    details = provider.resolve_integer_details(f"{BITCOIN}.bitcoin-discount-percentage", 0, EvaluationContext("gold"))
    assert (details.value, details.variant) == (10, "gold-tier-discount")


def test_no_context_gives_the_variant_for_no_context() -> None:
    details = beta_provider().resolve_boolean_details(BITCOIN, False)
    assert (details.value, details.variant) == (True, "standard-discount")


def test_a_value_a_rule_reads_but_cannot_compare_is_invalid_context_with_the_callers_default() -> None:
    details = beta_provider().resolve_integer_details(f"{BITCOIN}.bitcoin-discount-percentage", 7,
                                                      EvaluationContext(attributes={"tier": ["gold"]}))
    assert (details.value, details.error_code, details.reason) == (7, ErrorCode.INVALID_CONTEXT, Reason.ERROR)
    assert "is a list" in (details.error_message or "")


def test_in_process_text_no_header_could_carry_is_compared_as_it_is() -> None:
    details = beta_provider().resolve_integer_details(f"{BITCOIN}.bitcoin-discount-percentage", 7,
                                                      EvaluationContext(attributes={"tier": "a,b"}))
    assert (details.value, details.variant, details.reason, details.error_code) == (
        5, "standard-discount", Reason.DEFAULT, None)


def test_through_the_agent_the_targeting_key_can_be_the_entity_id() -> None:
    agent = FakeAgent()
    try:
        agent.body = json.dumps(NO_CONTEXT).encode()
        client = FlagsClient(source(agent), catalogue=TARGETED, background=False)
        client.poll()
        agent.body = json.dumps(GOLD).encode()
        provider = AppConfigProvider(client, targeting_key_as_entity_id=True)
        details = provider.resolve_integer_details(f"{BITCOIN}.bitcoin-discount-percentage", 0,
                                                   EvaluationContext("h-5d41", {"tier": "gold"}))
        headers = agent.requests[-1][1]
        # userId (the targeting key) is no key this flag's rules read: only tier is sent.
        assert (headers["Context"], headers["Entity-Id"]) == ("tier=gold", "h-5d41")
        assert (details.value, details.variant) == (10, "gold-tier-discount")
    finally:
        agent.close()
