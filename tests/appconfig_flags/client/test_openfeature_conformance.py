"""OpenFeature's own evaluation cases, through the OpenFeature SDK's client, from a local source and through the Agent.

The cases and flag set are the OpenFeature specification's gherkin suite: open-feature/spec,
``specification/assets/gherkin/evaluation_v2.feature`` (typed values, zero values, targeting with
``email``, the empty and null contexts, errors, variants, ``DISABLED``), ``evaluation.feature``
(``context-aware``: ``fn`` ``Sulisław``, ``ln`` ``Świętopełk``, ``age`` 29, ``customer`` false) and
``test-flags.json`` (the flags), written here as AppConfig flags:

* a boolean flag is a flag's ``enabled`` (read by its key); a string, integer or float flag is a flag with
  one attribute ``value`` (read as ``key.value``); an object flag is a flag's attributes (read by its key);
* a variant the spec serves without targeting is the only variant (the default, no rule): ``STATIC``;
* targeting (``contextEvaluator``) is a variant rule; the spec's default variant is the last, without a rule.

What AppConfig cannot express is left out: ``CACHED`` (reads are always from memory), flag metadata,
``PROVIDER_FATAL``, and ``boolean-disabled-flag`` as the spec means it: an AppConfig flag's boolean *is*
``enabled``, so a disabled flag read as a boolean is ``false`` with ``STATIC`` (here: ``false`` is the caller's
default too); its other reads are ``DISABLED``. Through the Agent, a context value its ``Context`` header cannot
carry (``Sulisław``) gives the flags whose rules read it ``INVALID_CONTEXT`` (docs/runtime.md).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagEvaluationDetails, Reason

from appconfig_flags.client import AgentSource, FlagsClient, LocalSource
from appconfig_flags.client.provider import AppConfigProvider
from appconfig_flags.model import Attribute, Flag, Profile, Rule, Variant, ctx
from appconfig_flags.testing import LocalAgent, ServedFlags

BALLMER = "ballmer@macrosoft.com"
PICS = {"showImages": True, "title": "Check out these pics!", "imagesPerPage": 100}


def _object_attributes() -> tuple[Attribute[Any, str], ...]:
    return (Attribute.boolean("showImages"), Attribute.string("title"), Attribute.number("imagesPerPage"))


def _static(key: str, variant: str, *, enabled: bool = True, value: object = None,
             attributes: tuple[Attribute[Any, str], ...] = (), values: dict[str, Any] | None = None) -> Flag:
    """A flag whose one variant (the default) the spec serves without targeting: ``STATIC``."""
    if value is not None:
        attributes, values = (_value_attribute(value),), {"value": value}
    return Flag(key=key, attributes=attributes, enabled=False,
                variants=(Variant(name=variant, enabled=enabled, values=values or {}),))


def _value_attribute(value: object) -> Attribute[Any, str]:
    if isinstance(value, str):
        return Attribute.string("value")
    return Attribute.number("value")


def _targeted_zero(key: str, zero: object) -> Flag:
    """``email == 'ballmer@macrosoft.com' ? 'zero' : ''`` with the default ``zero``: the same value either way."""
    rule = ctx("email") == BALLMER
    if key.startswith("boolean"):
        return Flag(key=key, enabled=False, variants=(Variant(name="zero", enabled=False, rule=rule),
                                                      Variant(name="zero-default", enabled=False)))
    if key.startswith("object"):
        return Flag(key=key, attributes=_object_attributes(), enabled=False,
                    variants=(Variant(name="zero", enabled=True, rule=rule), Variant(name="zero-default", enabled=True)))
    return Flag(key=key, attributes=(_value_attribute(zero),), enabled=False,
                variants=(Variant(name="zero", enabled=True, rule=rule, values={"value": zero}),
                          Variant(name="zero-default", enabled=True, values={"value": zero})))


def _internal_external(key: str, rule: Rule) -> Flag:
    return Flag(key=key, attributes=(Attribute.string("value"),), enabled=False,
                variants=(Variant(name="internal", enabled=True, rule=rule, values={"value": "INTERNAL"}),
                          Variant(name="external", enabled=True, values={"value": "EXTERNAL"})))


SPEC = Profile("OpenFeatureSpec", (
    _static("boolean-flag", "on"),
    _static("string-flag", "greeting", value="hi"),
    _static("integer-flag", "ten", value=10),
    _static("float-flag", "half", value=0.5),
    _static("object-flag", "template", attributes=_object_attributes(), values=PICS),
    _static("boolean-zero-flag", "zero", enabled=False),
    _static("string-zero-flag", "zero", value=""),
    _static("integer-zero-flag", "zero", value=0),
    _static("float-zero-flag", "zero", value=0.0),
    _static("object-zero-flag", "zero", attributes=_object_attributes()),
    _targeted_zero("boolean-targeted-zero-flag", False),
    _targeted_zero("string-targeted-zero-flag", ""),
    _targeted_zero("integer-targeted-zero-flag", 0),
    _targeted_zero("float-targeted-zero-flag", 0.0),
    _targeted_zero("object-targeted-zero-flag", None),
    _internal_external("context-aware", Rule.all(ctx("fn") == "Sulisław", ctx("ln") == "Świętopełk",
                                                 ctx("age") == 29, ctx("customer") == False)),
    _internal_external("complex-targeted", Rule.all(~(ctx("customer") == True), ctx("email") == BALLMER,
                                                    ctx("age") > 10)),
    Flag(key="boolean-disabled-flag", enabled=False),
    Flag(key="string-disabled-flag", attributes=(Attribute.string("value"),), enabled=False, values={"value": "hi"}),
    Flag(key="wrong-flag", attributes=(Attribute.string("value"),), enabled=True, values={"value": "uno"}),
))

def of_key(key: str) -> str:
    """The OpenFeature key of a spec flag: ``key.value`` for a flag with a ``value`` attribute, else the key."""
    flag = next((f for f in SPEC.flags if f.key == key), None)
    return f"{key}.value" if flag is not None and any(a.key == "value" for a in flag.attributes) else key


@pytest.fixture(scope="module", params=["local", "agent"])
def source_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def reader(source_kind: str) -> Iterator[tuple[OpenFeatureClient, LocalAgent]]:
    """An OpenFeature client over the spec's flags: a LocalSource, or an AgentSource reading the toolkit's LocalAgent."""
    with ServedFlags(SPEC) as served, LocalAgent(served) as agent:
        if source_kind == "local":
            source: Any = LocalSource(SPEC, None)
        else:
            source = AgentSource(application="Spec", environment="Default", profile=SPEC.name, port=agent.port)
        client = FlagsClient(source, catalogue=SPEC, background=False)
        api.set_provider_and_wait(AppConfigProvider(client, owns_client=True), domain=source_kind)
        try:
            yield api.get_client(source_kind), agent
        finally:
            api.clear_providers()


@pytest.fixture
def of(reader: tuple[OpenFeatureClient, LocalAgent]) -> Iterator[OpenFeatureClient]:
    yield reader[0]
    api.set_evaluation_context(EvaluationContext())


def details(of: OpenFeatureClient, kind: str, key: str, default: Any,
            context: EvaluationContext | None = None) -> FlagEvaluationDetails[Any]:
    read = {"Boolean": of.get_boolean_details, "String": of.get_string_details, "Integer": of.get_integer_details,
            "Float": of.get_float_details, "Object": of.get_object_details}[kind]
    return read(key, default, context)  # type: ignore[operator]


def email(value: str | None) -> EvaluationContext:
    return EvaluationContext(attributes={"email": value})


@pytest.mark.parametrize(("kind", "key", "default", "value", "variant"), [
    ("Boolean", "boolean-flag", False, True, "on"),
    ("String", "string-flag", "bye", "hi", "greeting"),
    ("Integer", "integer-flag", 1, 10, "ten"),
    ("Float", "float-flag", 0.1, 0.5, "half"),
    ("Object", "object-flag", {}, PICS, "template"),
])
def test_resolves_values_with_variant_and_reason_static(
        of: OpenFeatureClient, kind: str, key: str, default: Any, value: Any, variant: str) -> None:
    got = details(of, kind, of_key(key), default)
    assert (got.value, got.variant, got.reason, got.error_code) == (value, variant, Reason.STATIC, None)
    assert type(got.value) is type(value)


@pytest.mark.parametrize(("kind", "key", "default", "value"), [
    ("Boolean", "boolean-zero-flag", True, False),
    ("String", "string-zero-flag", "hi", ""),
    ("Integer", "integer-zero-flag", 1, 0),
    ("Float", "float-zero-flag", 0.1, 0.0),
    ("Object", "object-zero-flag", {"a": 1}, {}),
])
def test_resolves_zero_values_static(of: OpenFeatureClient, kind: str, key: str, default: Any, value: Any) -> None:
    got = details(of, kind, of_key(key), default)
    assert (got.value, got.reason, got.error_code) == (value, Reason.STATIC, None)
    assert type(got.value) is type(value)


TARGETED_ZEROS = [
    ("Boolean", "boolean-targeted-zero-flag", True, False),
    ("String", "string-targeted-zero-flag", "hi", ""),
    ("Integer", "integer-targeted-zero-flag", 1, 0),
    ("Float", "float-targeted-zero-flag", 0.1, 0.0),
    ("Object", "object-targeted-zero-flag", {"a": 1}, {}),
]


@pytest.mark.parametrize(("kind", "key", "default", "value"), TARGETED_ZEROS)
def test_a_matching_email_is_a_targeting_match(of: OpenFeatureClient, kind: str, key: str, default: Any,
                                                value: Any) -> None:
    got = details(of, kind, of_key(key), default, email(BALLMER))
    assert (got.value, got.reason, got.error_code) == (value, Reason.TARGETING_MATCH, None)


@pytest.mark.parametrize("context", [email("ballmer@none.com"), None, email(None)], ids=["other", "empty", "null"])
@pytest.mark.parametrize(("kind", "key", "default", "value"), TARGETED_ZEROS)
def test_another_email_no_context_or_a_null_email_is_the_default_variant(
        of: OpenFeatureClient, kind: str, key: str, default: Any, value: Any, context: EvaluationContext | None) -> None:
    got = details(of, kind, of_key(key), default, context)
    assert (got.value, got.reason, got.error_code) == (value, Reason.DEFAULT, None)


def test_multiple_context_attributes_target_complex_rules(of: OpenFeatureClient) -> None:
    context = EvaluationContext(attributes={"email": BALLMER, "role": "admin", "age": 65, "customer": False})
    got = of.get_string_details(of_key("complex-targeted"), "false", context)
    assert (got.value, got.variant, got.reason) == ("INTERNAL", "internal", Reason.TARGETING_MATCH)
    customer = EvaluationContext(attributes={"email": BALLMER, "age": 65, "customer": True})
    assert of.get_string_details(of_key("complex-targeted"), "false", customer).value == "EXTERNAL"


def test_the_agent_source_asks_the_agent_with_the_keys_the_rules_read(
        of: OpenFeatureClient, reader: tuple[OpenFeatureClient, LocalAgent], source_kind: str) -> None:
    agent = reader[1]
    before = len(agent.requests)
    context = EvaluationContext(attributes={"email": BALLMER, "role": "admin", "age": 65, "customer": False})
    assert of.get_string_value(of_key("complex-targeted"), "false", context) == "INTERNAL"
    assert of.get_boolean_value("boolean-flag", False, context) is True  # no rules: no request
    asked = agent.requests[before:]
    if source_kind == "local":
        assert asked == []
    else:
        ((path, headers),) = asked
        assert path.endswith("?flag=complex-targeted")
        assert headers["Context"] == "age=65,customer=false,email=ballmer@macrosoft.com"  # not role: no rule reads it


def test_a_non_ascii_context_value_matches_a_rule(of: OpenFeatureClient, source_kind: str) -> None:
    context = EvaluationContext(attributes={"fn": "Sulisław", "ln": "Świętopełk", "age": 29, "customer": False})
    got = of.get_string_details(of_key("context-aware"), "EXTERNAL", context)
    if source_kind == "local":
        assert (got.value, got.variant, got.reason) == ("INTERNAL", "internal", Reason.TARGETING_MATCH)
    else:  # the Agent's Context header carries no such text (AWS documents no escaping): this flag only
        assert (got.value, got.reason, got.error_code) == ("EXTERNAL", Reason.ERROR, ErrorCode.INVALID_CONTEXT)
    empty = of.get_string_details(of_key("context-aware"), "EXTERNAL")
    assert (empty.value, empty.reason) == ("EXTERNAL", Reason.DEFAULT)


def test_a_global_context_with_a_list_and_a_non_ascii_name_darkens_no_flag_that_does_not_read_them(
        of: OpenFeatureClient, source_kind: str) -> None:
    api.set_evaluation_context(EvaluationContext(attributes={"tags": ["a", "b"], "address": {"city": "Łódź"},
                                                             "fn": "Sulisław", "email": BALLMER}))
    assert of.get_boolean_details("boolean-flag", False).reason is Reason.STATIC
    assert of.get_string_details(of_key("string-flag"), "bye").value == "hi"
    assert of.get_object_details("object-flag", {}).value == PICS
    matched = of.get_integer_details(of_key("integer-targeted-zero-flag"), 1)
    assert (matched.value, matched.reason) == (0, Reason.TARGETING_MATCH)


@pytest.mark.parametrize(("kind", "key", "default"), [
    ("String", "string-disabled-flag.value", "bye"),
    ("Object", "string-disabled-flag", {"a": 1}),
])
def test_a_disabled_flag_is_the_callers_default_with_reason_disabled(
        of: OpenFeatureClient, kind: str, key: str, default: Any) -> None:
    got = details(of, kind, key, default)
    assert (got.value, got.reason, got.error_code) == (default, Reason.DISABLED, None)


def test_a_disabled_flag_read_as_a_boolean_is_false(of: OpenFeatureClient) -> None:
    got = of.get_boolean_details("boolean-disabled-flag", True)
    assert (got.value, got.reason, got.error_code) == (False, Reason.STATIC, None)


@pytest.mark.parametrize(("kind", "default"), [
    ("Boolean", False), ("String", "bye"), ("Integer", 1), ("Float", 0.1), ("Object", {"a": 1})])
def test_a_missing_flag_is_flag_not_found(of: OpenFeatureClient, kind: str, default: Any) -> None:
    got = details(of, kind, "non-existent-flag", default)
    assert (got.value, got.reason, got.error_code) == (default, Reason.ERROR, ErrorCode.FLAG_NOT_FOUND)
    assert "flag non-existent-flag not found" in (got.error_message or "")


@pytest.mark.parametrize(("kind", "key", "default"), [
    ("Boolean", "string-flag", False),
    ("String", "boolean-flag", "bye"),
    ("Integer", "boolean-flag", 1),
    ("Float", "boolean-flag", 0.1),
    ("Object", "boolean-flag", {"a": 1}),
    ("Integer", "wrong-flag", 13),
    ("Integer", "string-flag", 1),
])
def test_a_type_mismatch_is_the_callers_default(of: OpenFeatureClient, kind: str, key: str, default: Any) -> None:
    got = details(of, kind, of_key(key), default)
    assert (got.value, got.reason, got.error_code) == (default, Reason.ERROR, ErrorCode.TYPE_MISMATCH)


def test_nothing_loaded_is_provider_not_ready() -> None:
    class Never:
        name, poll_interval = "never", 3600.0

        def fetch(self) -> Any:
            raise OSError("no flags")

        def reset(self) -> None: ...
        def close(self) -> None: ...

    provider = AppConfigProvider(FlagsClient(Never(), catalogue=SPEC, background=False))  # type: ignore[arg-type]
    got = provider.resolve_string_details(of_key("string-flag"), "bye")
    assert (got.value, got.reason, got.error_code) == ("bye", Reason.ERROR, ErrorCode.PROVIDER_NOT_READY)
