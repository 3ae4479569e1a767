"""An OpenFeature provider over a :class:`FlagsClient` (openfeature-sdk 0.10).

OpenFeature types map to AppConfig flags so (docs/runtime.md):

* boolean: ``"allow-bitcoin-at-checkout"`` is the flag's ``enabled`` (``false`` for a disabled flag);
* string, integer, float (and an array as an object): ``"allow-bitcoin-at-checkout.default-currency"`` is one
  attribute, read with the type asked for (AppConfig keys cannot contain ``.``, so the split is unambiguous);
* object: ``"allow-bitcoin-at-checkout"`` is all its attributes as a mapping (no ``enabled``, no ``_variant``);
  a flag without attributes read as an object is ``TYPE_MISMATCH``.

Any read of a disabled flag other than its boolean answers the caller's default with reason ``DISABLED``.
Reasons: ``STATIC`` for a basic flag (or variants without rules), ``TARGETING_MATCH`` when a variant's rule
matched, ``DEFAULT`` when the default variant (the last) was served, ``SPLIT`` for an experiment's
treatment; errors ``FLAG_NOT_FOUND``, ``TYPE_MISMATCH``, ``PARSE_ERROR`` (a served flag that cannot be read,
e.g. a rule pattern that could hang a read), ``INVALID_CONTEXT``, ``PROVIDER_NOT_READY``.

The evaluation context selects a multi-variant flag's variant: its targeting key becomes the
context key ``targeting_key_name`` (Default: ``userId``) and its attributes the other keys, as
``FlagsClient.targeted`` receives them; the variant is reported in ``FlagResolutionDetails.variant``.
Only the keys a flag's rules read are looked at: an attribute no rule of that flag reads (a list, a
name in any script) changes nothing; one its rules read but cannot use (a list; through the Agent,
text its ``Context`` header cannot carry) gives that flag alone the caller's default with ``INVALID_CONTEXT``.
An experiment's treatment (the Agent's ``_variant`` ``__t1__``) is reported as variant ``t1``, with
``flag_metadata["experiment-treatment"] = "t1"`` and reason ``SPLIT``; experiments need an
``Entity-Id``, so set ``targeting_key_as_entity_id=True`` (with a hashed targeting key).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from openfeature.evaluation_context import EvaluationContext
from openfeature.event import ProviderEventDetails
from openfeature.exception import ErrorCode, ProviderNotReadyError
from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
from openfeature.provider import AbstractProvider, Metadata

from .catalogue import Resolution, Served, treatment_of
from .client import ClientEvent, EventDetails, FlagsClient
from .status import Health

#: The context key the targeting key fills unless told otherwise (the rule ``$userId``).
DEFAULT_TARGETING_KEY_NAME = "userId"

#: Separates a flag key from an attribute key in OpenFeature flag keys.
ATTRIBUTE_SEPARATOR = "."


class _Mismatch(Exception):
    pass


class AppConfigProvider(AbstractProvider):
    """Resolves OpenFeature flags from ``client``'s current snapshot; never raises, never does I/O.

    ``ready_timeout``: how long ``initialize`` waits for a first load (Default: 2 s); past it the
    provider starts in ERROR and turns READY when the load arrives. ``owns_client``: close the client
    on ``shutdown`` (Default: False, as the application may read the same client directly).
    ``targeting_key_name``: the context key the evaluation context's targeting key fills (Default:
    ``userId``). ``targeting_key_as_entity_id``: also send the targeting key as the Agent's
    ``Entity-Id`` (entity-based gradual deployments and experiments; Default: False, as the Agent may
    log it verbatim: pass a hashed key).
    """

    def __init__(self, client: FlagsClient, *, ready_timeout: float = 2.0, owns_client: bool = False,
                 targeting_key_name: str = DEFAULT_TARGETING_KEY_NAME,
                 targeting_key_as_entity_id: bool = False) -> None:
        super().__init__()
        self._client = client
        self._targeting_key_name = targeting_key_name
        self._targeting_key_as_entity_id = targeting_key_as_entity_id
        self._ready_timeout = ready_timeout
        self._owns_client = owns_client
        self._initialized = False
        self._unsubscribe: Callable[[], None] | None = None

    def get_metadata(self) -> Metadata:
        return Metadata(name="AWS AppConfig")

    def initialize(self, evaluation_context: EvaluationContext) -> None:
        self._unsubscribe = self._client.subscribe(self._on_client_event)
        loaded = self._client.start(wait=self._ready_timeout)
        self._initialized = True
        if not loaded and self._client.snapshot is None:
            status = self._client.status()
            cause = f": {status.last_error_code}: {status.last_error}" if status.last_error_code else ""
            raise ProviderNotReadyError(f"no flags loaded from {status.source} within {self._ready_timeout} s{cause}")

    def shutdown(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._owns_client:
            self._client.close()

    def _on_client_event(self, event: ClientEvent, details: EventDetails) -> None:
        if event is ClientEvent.CHANGED:
            self.emit_provider_configuration_changed(ProviderEventDetails(flags_changed=list(details.flags_changed)))
        elif not self._initialized:
            return  # the SDK reports READY or ERROR itself when initialize() returns or raises
        elif event is ClientEvent.READY:
            self.emit_provider_ready(ProviderEventDetails())
        elif event is ClientEvent.STALE:
            self.emit_provider_stale(ProviderEventDetails(message=details.message))
        elif event is ClientEvent.ERROR:
            self.emit_provider_error(ProviderEventDetails(message=details.message, error_code=ErrorCode.GENERAL))

    # -- resolution -----------------------------------------------------------------------------
    def resolve_boolean_details(self, flag_key: str, default_value: bool,
                                evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[bool]:
        return self._resolve(flag_key, default_value, _boolean, evaluation_context)

    def resolve_string_details(self, flag_key: str, default_value: str,
                               evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[str]:
        return self._resolve(flag_key, default_value, _string, evaluation_context)

    def resolve_integer_details(self, flag_key: str, default_value: int,
                                evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[int]:
        return self._resolve(flag_key, default_value, _integer, evaluation_context)

    def resolve_float_details(self, flag_key: str, default_value: float,
                              evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[float]:
        return self._resolve(flag_key, default_value, _float, evaluation_context)

    def resolve_object_details(
        self, flag_key: str, default_value: Sequence[FlagValueType] | Mapping[str, FlagValueType],
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[Sequence[FlagValueType] | Mapping[str, FlagValueType]]:
        return self._resolve(flag_key, default_value, _object, evaluation_context)

    def _resolve(self, flag_key: str, default: Any, convert: Callable[[Any, bool], Any],
                 evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[Any]:
        try:
            client = self._client
            snapshot = client.snapshot
            if snapshot is None:
                return _error(default, ErrorCode.PROVIDER_NOT_READY, "no flag configuration loaded yet")
            key, _, attribute = flag_key.partition(ATTRIBUTE_SEPARATOR)
            context: Mapping[str, Any] | None = None
            entity_id = None
            if evaluation_context is not None:
                # No copy: the client reads only the keys the flag's rules read, and none for a flag without rules.
                context = evaluation_context.attributes
                targeting_key = evaluation_context.targeting_key
                if targeting_key is not None:
                    context = _WithTargetingKey(context, self._targeting_key_name, targeting_key)
                    if self._targeting_key_as_entity_id:
                        entity_id = targeting_key
            found = client.targeted(key, context, entity_id=entity_id)
            if found.resolution is Resolution.INVALID_CONTEXT:
                return _error(default, ErrorCode.INVALID_CONTEXT, f"{flag_key!r}: {found.error}")
            data = found.data
            if data is None:
                if found.error is not None and key in snapshot.unreadable:
                    return _error(default, ErrorCode.PARSE_ERROR, f"flag {key!r} cannot be read: {found.error}")
                return _error(default, ErrorCode.FLAG_NOT_FOUND, f"flag {key} not found in version {snapshot.version_label}")
            metadata: dict[str, Any] = {"version": found.version_label} if found.version_label else {}
            if found.error:
                metadata["targeting-error"] = found.error
            if attribute:
                if not data.enabled:
                    return FlagResolutionDetails(value=default, reason=Reason.DISABLED, variant=_variant(data),
                                                 flag_metadata=metadata)
                if attribute not in data.values:
                    return _error(default, ErrorCode.FLAG_NOT_FOUND, f"flag {key!r} has no attribute {attribute!r}")
                value = convert(data.values[attribute], True)
            elif convert is _object:
                declared = client.catalogue.flags.get(key)
                # A disabled flag is served without its attributes: only the catalogue tells whether it has any.
                if not (declared.attributes if declared is not None else data.values or not data.enabled):
                    raise _Mismatch("the flag has no attributes: read it as a boolean")
                if not data.enabled:
                    return FlagResolutionDetails(value=default, reason=Reason.DISABLED, variant=_variant(data),
                                                 flag_metadata=metadata)
                value = {k: list(v) if isinstance(v, tuple) else v for k, v in data.values.items()}
            else:
                value = convert(data, False)
            served_by = found.served_by
            if served_by is Served.TREATMENT and data.variant is not None:
                # An experiment's treatment (the Agent's __t1__): the variant is its key, as assignment logs name it.
                treatment = treatment_of(data.variant)
                metadata["experiment-treatment"] = treatment
                return FlagResolutionDetails(value=value, reason=Reason.SPLIT, variant=treatment, flag_metadata=metadata)
            if found.resolution is Resolution.NOT_TARGETED:
                reason = Reason.DEFAULT  # the Agent did not answer for this context: the flag without context
            elif served_by is Served.RULE:
                reason = Reason.TARGETING_MATCH  # a variant's rule matched this context
            elif served_by is Served.DEFAULT:
                reason = Reason.DEFAULT  # no rule matched: the default variant
            else:
                reason = Reason.STALE if client.health is Health.STALE else Reason.STATIC
            return FlagResolutionDetails(value=value, reason=reason, variant=data.variant, flag_metadata=metadata)
        except _Mismatch as exc:
            return _error(default, ErrorCode.TYPE_MISMATCH, f"{flag_key!r}: {exc}")
        except Exception as exc:  # noqa: BLE001 - resolution never throws (OpenFeature spec)
            return _error(default, ErrorCode.GENERAL, f"{flag_key!r}: {type(exc).__name__}: {exc}")


class _WithTargetingKey(Mapping[str, Any]):
    """An evaluation context's attributes with the targeting key under its context name, without copying them."""

    __slots__ = ("_attributes", "_name", "_value")

    def __init__(self, attributes: Mapping[str, Any], name: str, value: str) -> None:
        self._attributes, self._name, self._value = attributes, name, value

    def get(self, key: str, default: Any = None) -> Any:
        return self._value if key == self._name else self._attributes.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._value if key == self._name else self._attributes[key]

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self._attributes if k != self._name)
        yield self._name

    def __len__(self) -> int:
        return len(self._attributes) + (self._name not in self._attributes)


def _variant(data: Any) -> str | None:
    return data.variant  # type: ignore[no-any-return]


def _error(default: Any, code: ErrorCode, message: str) -> FlagResolutionDetails[Any]:
    return FlagResolutionDetails(value=default, error_code=code, error_message=message, reason=Reason.ERROR)


def _boolean(value: Any, is_attribute: bool) -> bool:
    if not is_attribute:
        return bool(value.enabled)  # a flag read as a boolean is its enabled, disabled or not
    if isinstance(value, bool):
        return value
    raise _Mismatch(f"the attribute is {type(value).__name__}, not a boolean")


def _string(value: Any, is_attribute: bool) -> str:
    if is_attribute and isinstance(value, str):
        return value
    raise _Mismatch("not a string attribute" if is_attribute else "a flag is a boolean or an object; name an attribute")


def _integer(value: Any, is_attribute: bool) -> int:
    if is_attribute and not isinstance(value, bool):
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    raise _Mismatch("not a whole-number attribute" if is_attribute else "a flag is a boolean or an object")


def _float(value: Any, is_attribute: bool) -> float:
    if is_attribute and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise _Mismatch("not a number attribute" if is_attribute else "a flag is a boolean or an object")


def _object(value: Any, is_attribute: bool) -> Any:
    if isinstance(value, tuple):
        return list(value)
    raise _Mismatch(f"the attribute is {type(value).__name__}, not an array")
