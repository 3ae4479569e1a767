"""An OpenFeature provider over a :class:`FlagsClient` (openfeature-sdk 0.10).

Flag keys: ``"allow-bitcoin-at-checkout"`` resolves as a boolean to the flag's ``enabled`` (or, as
an object, to the whole flag in retrieval form); ``"allow-bitcoin-at-checkout.default-currency"``
resolves one attribute with the type asked for. AppConfig keys cannot contain ``.``, so the split
is unambiguous.

The evaluation context selects a multi-variant flag's variant: its targeting key becomes the
context key ``targeting_key_name`` (Default: ``userId``) and its attributes the other keys, as
``FlagsClient.targeted`` receives them; the variant is reported in ``FlagResolutionDetails.variant``.
An experiment's treatment (the Agent's ``_variant`` ``__t1__``) is reported as variant ``t1``, with
``flag_metadata["experiment-treatment"] = "t1"`` and reason ``SPLIT``; experiments need an
``Entity-Id``, so set ``targeting_key_as_entity_id=True`` (with a hashed targeting key).
A context the Agent cannot receive resolves to the caller's default with ``INVALID_CONTEXT``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openfeature.evaluation_context import EvaluationContext
from openfeature.event import ProviderEventDetails
from openfeature.exception import ErrorCode, ProviderNotReadyError
from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
from openfeature.provider import AbstractProvider, Metadata

from .catalogue import Resolution, treatment_of
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

    def _context(self, evaluation_context: EvaluationContext | None) -> tuple[dict[str, Any], str | None]:
        """The client's context and Entity-Id for an OpenFeature evaluation context."""
        if evaluation_context is None:
            return {}, None
        context: dict[str, Any] = dict(evaluation_context.attributes or {})
        key = evaluation_context.targeting_key
        if key is not None:
            context[self._targeting_key_name] = key
        return context, key if self._targeting_key_as_entity_id else None

    def _resolve(self, flag_key: str, default: Any, convert: Callable[[Any, bool], Any],
                 evaluation_context: EvaluationContext | None = None) -> FlagResolutionDetails[Any]:
        try:
            snapshot = self._client.snapshot
            if snapshot is None:
                return _error(default, ErrorCode.PROVIDER_NOT_READY, "no flag configuration loaded yet")
            key, _, attribute = flag_key.partition(ATTRIBUTE_SEPARATOR)
            context, entity_id = self._context(evaluation_context)
            found = self._client.targeted(key, context, entity_id=entity_id)
            if found.resolution is Resolution.INVALID_CONTEXT:
                return _error(default, ErrorCode.INVALID_CONTEXT, f"{flag_key!r}: {found.error}")
            data = found.data
            if data is None:
                return _error(default, ErrorCode.FLAG_NOT_FOUND, f"no flag {key!r} in version {snapshot.version_label}")
            metadata: dict[str, Any] = {"version": found.version_label} if found.version_label else {}
            if found.error:
                metadata["targeting-error"] = found.error
            if attribute:
                if attribute not in data.values:
                    if not data.enabled:
                        return FlagResolutionDetails(value=default, reason=Reason.DISABLED, flag_metadata=metadata)
                    return _error(default, ErrorCode.FLAG_NOT_FOUND, f"flag {key!r} has no attribute {attribute!r}")
                value = convert(data.values[attribute], True)
            else:
                value = convert(data, False)
            treatment = treatment_of(data.variant) if data.variant is not None else None
            if treatment is not None and found.resolution is Resolution.SERVED:
                # An experiment's treatment (the Agent's __t1__): the variant is its key, as assignment logs name it.
                metadata["experiment-treatment"] = treatment
                return FlagResolutionDetails(value=value, reason=Reason.SPLIT, variant=treatment, flag_metadata=metadata)
            if data.variant is not None and found.resolution is Resolution.SERVED:
                reason = Reason.TARGETING_MATCH  # the variant was chosen for this context by its rules
            elif found.resolution is Resolution.NOT_TARGETED:
                reason = Reason.DEFAULT  # the Agent did not answer for this context: the flag without context
            else:
                reason = Reason.STALE if self._client.health is Health.STALE else Reason.STATIC
            return FlagResolutionDetails(value=value, reason=reason, variant=data.variant, flag_metadata=metadata)
        except _Mismatch as exc:
            return _error(default, ErrorCode.TYPE_MISMATCH, f"{flag_key!r}: {exc}")
        except Exception as exc:  # noqa: BLE001 - resolution never throws (OpenFeature spec)
            return _error(default, ErrorCode.GENERAL, f"{flag_key!r}: {type(exc).__name__}: {exc}")


def _error(default: Any, code: ErrorCode, message: str) -> FlagResolutionDetails[Any]:
    return FlagResolutionDetails(value=default, error_code=code, error_message=message, reason=Reason.ERROR)


def _boolean(value: Any, is_attribute: bool) -> bool:
    if not is_attribute:
        return bool(value.enabled)
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
    if not is_attribute:
        return value.to_json()
    if isinstance(value, tuple):
        return list(value)
    raise _Mismatch(f"the attribute is {type(value).__name__}, not an array")
