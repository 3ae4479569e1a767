"""The flags client: one source, one background poller per process, reads from an immutable snapshot."""
from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

from appconfig_flags.model import Attribute, AttributeValue, Flag, Profile
from appconfig_flags.model.targeting.context import encode_for_header, encode_local

from .backoff import Backoff
from .catalogue import (
    Catalogue,
    FlagRules,
    FlagState,
    Resolution,
    Served,
    declared_key,
    default_state,
    resolve,
    state_of,
    treatment_of,
)
from .errors import ErrorKind, SourceError
from .health import Health
from .lazy_logging import DEBUG, ERROR, WARNING, LazyLogger
from .snapshot import FlagData, Snapshot, Unchanged
from .source import ContextEvaluatingSource, FlagSource
from .targeting import check_entity_id, context_header_of, request_context

if TYPE_CHECKING:
    from .status import Status

_V = TypeVar("_V")
_K = TypeVar("_K", bound=str)

log = LazyLogger(__name__)  # logging is imported when a record could be emitted: see .lazy_logging


class ClientEvent(str, Enum):
    """What a listener hears about (the OpenFeature provider events)."""

    READY = "ready"  # first load, or recovery from STALE/ERROR
    CHANGED = "changed"  # a new configuration version replaced the previous one
    STALE = "stale"  # still serving the last good version, but the source has failed for a while
    ERROR = "error"  # nothing loaded and the source fails


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What a listener hears with an event: the keys of the flags that changed (CHANGED), and why (STALE, ERROR)."""

    flags_changed: tuple[str, ...] = ()
    message: str | None = None
    error_code: str | None = None


Listener = Callable[[ClientEvent, EventDetails], None]


class _View(NamedTuple):
    """What reads see, swapped as one reference: the snapshot and the catalogue resolved against it.

    A NamedTuple: a private record need not cost a dataclass's 0.4 ms at a service's start-up.
    """

    snapshot: Snapshot | None
    states: Mapping[str, FlagState]
    #: States of locally evaluated variants, (flag key, variant) → state, filled on first read (one dict per view).
    variant_states: dict[tuple[str, str | None], FlagState]
    #: Keys of the flags a context can change (rules evaluated here, or an Agent's multi-variant answer): a read
    #: of any other flag with a context is the read without it, the context never looked at.
    contextual: frozenset[str]


def _view(snapshot: Snapshot | None, states: Mapping[str, FlagState]) -> _View:
    if snapshot is None:
        return _View(None, states, {}, frozenset())
    contextual = {key for key, targeting in snapshot.targeting.items() if not targeting.static}
    contextual.update(key for key, data in snapshot.flags.items() if data.variant is not None
                      and key not in snapshot.targeting)
    return _View(snapshot, states, {}, frozenset(contextual))


@dataclass(frozen=True, slots=True)
class Targeted:
    """One flag for one context: the data served (``None``: nothing to serve), why, and the version."""

    data: FlagData | None
    resolution: Resolution
    version_label: str | None
    error: str | None = None
    #: Why ``data`` was served (static, default variant, a rule's match, a treatment); ``None`` when nothing was.
    served_by: Served | None = None


class FlagsClient:
    """Typed, non-blocking flag reads backed by one :class:`FlagSource`.

    ``catalogue``: the flags this application reads (a Profile or Flags); they give defaults and
    attribute types, and every new version is checked against their definitions (Default: none).
    ``background``: poll in a daemon thread started by the first read or :meth:`start` (Default:
    True); False for Lambda, where the caller runs :meth:`poll` on each invocation.
    ``stale_after``: missed poll intervals before the client reports STALE (Default: 3).
    ``backoff``: waits after failures (Default: :class:`Backoff`, capped at 5 minutes).
    ``warn_every``: seconds between repeated WARNING logs of one ongoing failure (Default: 300).
    """

    def __init__(
        self,
        source: FlagSource,
        *,
        catalogue: Catalogue | Profile | Iterable[Flag] = (),
        background: bool = True,
        stale_after: int = 3,
        backoff: Backoff | None = None,
        warn_every: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._catalogue = catalogue if isinstance(catalogue, Catalogue) else Catalogue(catalogue)
        self._view = _view(None, self._catalogue.resolve_all(None))
        self._background = background
        self._stale_after = stale_after
        self._backoff = backoff or Backoff()
        self._warn_every = warn_every
        self._clock = clock
        self._listeners: list[Listener] = []
        self._closed = False
        self._last_success: float | None = None  # clock time
        self._last_success_wall: float | None = None
        self._rejected_version: str | None = None
        self._unreadable_logged: dict[str, str] = {}
        self._remote = source if isinstance(source, ContextEvaluatingSource) else None
        self._context_warned: dict[str, float] = {}
        self._new_process()
        _CLIENTS.add(self)

    def _new_process(self) -> None:
        """Per-process state: set up at construction and again in a child after ``fork``."""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._poll_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._polled = threading.Event()  # a first poll finished in this process, well or not
        self._needs_start = self._background and not self._closed
        self._next_due = self._clock()
        self._health = Health.READY if self._view.snapshot is not None else Health.NOT_READY
        self._failures = 0
        self._last_error: SourceError | None = None
        self._logged_code: str | None = None
        self._logged_at = 0.0
        self._polls = 0
        self._changes = 0
        self._errors_by_code: dict[str, int] = {}
        self._sessions_before = getattr(self._source, "sessions_started", 0)

    # -- reads: memory only, no lock ------------------------------------------------------------
    def get(self, flag: Flag, context: Mapping[str, object] | None = None, *,
            entity_id: str | None = None) -> FlagState:
        """``flag``'s current state for ``context``; its declared default when nothing is loaded, absent or mistyped.

        ``context`` (e.g. ``{"tier": "gold", "userId": "u-42"}``) selects a multi-variant flag's
        variant; ``state.variant`` names it. A ``None`` value is an absent key. Sources that hold the
        variants (local, catalogue, Ion agent files) evaluate in memory, and simulate the catalogue's
        experiment runs for reads with an ``entity_id`` (``state.treatment``; not AppConfig's bucketing:
        :mod:`.experiments`); ``AgentSource`` asks the Agent
        (one localhost request per read of a multi-variant flag with a context, or of one of its
        ``experiment_flags`` with an ``entity_id``, ``Context`` and ``Entity-Id`` headers); ``AppConfigDataSource`` serves basic flags only, whose value no
        context changes. Only the context keys the flag's rules read are looked at (a flag without rules
        never looks at the context). Never raises: a value its rules read but cannot use (in process, one no
        rule can compare; through the Agent, one its header cannot carry) gives the declared default
        (``invalid-context``) for this flag only; an Agent that does not answer, the flag without context
        (``not-targeted``); ``state.error`` says why.
        """
        if self._needs_start:
            self._start_thread()
        view = self._view
        if entity_id is None and (not context or flag.key not in view.contextual):
            state = view.states.get(flag.key)
            if state is not None and state.flag is flag:
                return state
            return resolve(flag, view.snapshot)
        return self._targeted_state(flag, view, context, entity_id)

    def enabled(self, flag: Flag, context: Mapping[str, object] | None = None, *,
                entity_id: str | None = None) -> bool:
        """Whether ``flag`` is on for ``context`` (its declared default until a configuration is loaded)."""
        return self.get(flag, context, entity_id=entity_id).enabled

    @overload
    def value(self, flag: Flag[_K], attribute: Attribute[_V, _K], context: Mapping[str, object] | None = None, *,
              entity_id: str | None = None) -> _V | None: ...
    @overload
    def value(self, flag: Flag, attribute: str, context: Mapping[str, object] | None = None, *,
              entity_id: str | None = None) -> AttributeValue | None: ...
    def value(self, flag: Flag, attribute: Attribute[Any, str] | str, context: Mapping[str, object] | None = None, *,
              entity_id: str | None = None) -> Any:
        """``flag``'s ``attribute`` for ``context``: served, else declared, else ``None``.

        ``attribute`` is an attribute object (the read is typed: ``float | None`` for ``Attribute.number``)
        or its key. An attribute object ``flag`` does not declare raises :class:`~.errors.UndeclaredAttributeError`
        (a type error already when the flag's keys are typed: docs/runtime.md); a key never raises.
        """
        key = declared_key(flag, attribute)
        return self.get(flag, context, entity_id=entity_id).values.get(key)

    def targeted(self, flag_key: str, context: Mapping[str, object] | None = None, *,
                 entity_id: str | None = None) -> Targeted:
        """The data served for ``flag_key`` and ``context``, by key (for the OpenFeature provider); never raises.

        Only the context keys the flag's rules read are looked at: a value no rule of this flag reads (a
        list, a mapping, text the Agent's header cannot carry) changes nothing. A value a rule reads that
        cannot be used gives ``INVALID_CONTEXT`` for this flag only: in process, one no rule can compare
        (a list, a naive datetime, text over 1024 characters); through the Agent, one its ``Context``
        header cannot carry (docs/runtime.md).
        """
        view = self._view
        snapshot = view.snapshot
        if snapshot is None:
            return Targeted(None, Resolution.NOT_LOADED, None)
        label = snapshot.version_label
        served = snapshot.flags.get(flag_key)
        remote = self._remote
        experiment_read = False
        if entity_id is not None:
            try:
                check_entity_id(entity_id)
            except ValueError as exc:
                return self._invalid(flag_key, label, exc)
            experiment = snapshot.experiments.get(flag_key) if snapshot.experiments else None
            if experiment is not None:  # a simulated run (local sources; not AppConfig's bucketing)
                try:
                    assigned = experiment.assign(encode_local(context or {}, experiment.keys), entity_id)
                except ValueError as exc:
                    return self._invalid(flag_key, label, exc)
                if assigned is not None:
                    return Targeted(assigned, Resolution.SERVED, label, served_by=Served.TREATMENT)
            experiment_read = remote is not None and flag_key in getattr(remote, "experiment_flags", ())
        targeting = snapshot.targeting.get(flag_key)
        if targeting is not None:  # variants evaluated in this process
            if targeting.static or not context:
                return Targeted(served, Resolution.SERVED, label,
                                served_by=_served_by(served, targeting.default_variant, targeting.static))
            try:
                data = targeting.serve_local(context)
            except ValueError as exc:
                return self._invalid(flag_key, label, exc)
            return Targeted(data, Resolution.SERVED, label, served_by=_served_by(data, targeting.default_variant, False))
        if served is None:
            return Targeted(None, Resolution.NOT_FOUND, label, snapshot.unreadable.get(flag_key))
        if served.variant is None and not experiment_read:
            return Targeted(served, Resolution.SERVED, label, served_by=Served.STATIC)  # no context changes a basic flag
        rules = self._catalogue.rules_of(flag_key, getattr(remote, "environment", None))
        if rules is not None and not rules.multi_variant and served.variant is not None:
            rules = None  # the catalogue's flag is basic, the Agent's has variants: rules deployed outside the catalogue
        if remote is None or (rules is not None and rules.static and not experiment_read):
            return Targeted(served, Resolution.SERVED, label, served_by=_agent_served_by(served, served, rules))
        try:
            # The keys the flag's rules read (every key when the catalogue does not define the flag).
            encoded = request_context(context) if rules is None else encode_for_header(context or {}, rules.keys)
        except ValueError as exc:
            return self._invalid(flag_key, label, exc)
        if not encoded and entity_id is None:
            return Targeted(served, Resolution.SERVED, label, served_by=_agent_served_by(served, served, rules))
        try:
            data = remote.evaluate_flag(flag_key, context_header_of(encoded), entity_id)
        except Exception as exc:  # noqa: BLE001 - reads never raise; the poller reports the source's health
            error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SourceError) else str(exc)
            self._warn_context(flag_key, f"the Agent did not evaluate the context, serving the flag without it: {error}")
            return Targeted(served, Resolution.NOT_TARGETED, label, error)
        return Targeted(data, Resolution.SERVED, label, served_by=_agent_served_by(data, served, rules))

    def _invalid(self, flag_key: str, label: str | None, exc: ValueError) -> Targeted:
        self._warn_context(flag_key, str(exc))
        return Targeted(None, Resolution.INVALID_CONTEXT, label, str(exc))

    def _targeted_state(self, flag: Flag, view: _View, context: Mapping[str, object] | None,
                        entity_id: str | None) -> FlagState:
        snapshot = view.snapshot
        if entity_id is None and snapshot is not None and context:
            targeting = snapshot.targeting.get(flag.key)
            if targeting is not None:  # variants evaluated here: the common read, without a Targeted record
                try:
                    data = targeting.serve_local(context)
                except ValueError:
                    pass  # targeted() below says why
                else:
                    state = view.variant_states.get((flag.key, data.variant))
                    if state is not None and state.flag is flag:
                        return state
        found = self.targeted(flag.key, context, entity_id=entity_id)
        if found.data is None:
            if found.resolution is Resolution.NOT_TARGETED:
                return default_state(flag, Resolution.NOT_LOADED, found.version_label, found.error)
            return default_state(flag, found.resolution, found.version_label, found.error)
        snapshot = view.snapshot
        if found.resolution is Resolution.SERVED and snapshot is not None \
                and found.data is snapshot.flags.get(flag.key):
            state = view.states.get(flag.key)  # a basic flag: the same state as without context
            if state is not None and state.flag is flag:
                return state
        if found.resolution is Resolution.SERVED and snapshot is not None and (
                flag.key in snapshot.targeting or flag.key in snapshot.experiments):
            # Local variants and simulated treatments: one state per variant and version, built on first read.
            key = (flag.key, found.data.variant)
            state = view.variant_states.get(key)
            if state is None or state.flag is not flag:
                state = view.variant_states[key] = state_of(flag, found.data, found.version_label)
            return state
        state = state_of(flag, found.data, found.version_label)
        if found.resolution is Resolution.NOT_TARGETED and state.resolution is Resolution.SERVED:
            return FlagState(flag=flag, enabled=state.enabled, values=state.values, resolution=Resolution.NOT_TARGETED,
                             version_label=state.version_label, variant=state.variant, error=found.error,
                             treatment=state.treatment)
        return state

    def _warn_context(self, flag_key: str, message: str) -> None:
        # Once a minute per flag at most: a bad context usually repeats on every request.
        now = self._clock()
        if now - self._context_warned.get(flag_key, -1e18) >= 60.0:
            self._context_warned[flag_key] = now
            log.warning("%s: %s: %s", self._source.name, flag_key, message)

    @property
    def snapshot(self) -> Snapshot | None:
        """The configuration being served, or ``None`` before the first load."""
        return self._view.snapshot

    @property
    def source(self) -> FlagSource:
        return self._source

    @property
    def catalogue(self) -> Catalogue:
        """The flags this client knows (their declared defaults, attribute types and rules)."""
        return self._catalogue

    @property
    def health(self) -> Health:
        """READY, STALE, NOT_READY or ERROR, now (the cheap part of :meth:`status`)."""
        return self._health_now(self._clock())

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, *, wait: float = 0.0) -> bool:
        """Start polling (in the background, or once now); wait up to ``wait`` s for the first poll.

        Returns whether a configuration is loaded. Reads start the poller by themselves; call this to
        warm up at start-up (e.g. ``wait=2``) so the first requests do not see defaults.
        """
        if self._background:
            self._start_thread()
        elif self._view.snapshot is None:
            self.poll()
        if wait > 0 and self._view.snapshot is None:
            self._polled.wait(wait)
        return self._view.snapshot is not None

    def close(self) -> None:
        """Stop the poller and release the source's connections. Reads keep serving the last snapshot."""
        self._closed = True
        self._needs_start = False
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        with self._poll_lock:
            self._source.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event, details)`` from the poller on each event; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _start_thread(self) -> None:
        with self._start_lock:
            if not self._needs_start:
                return
            self._needs_start = False
            thread = threading.Thread(target=self._run, name=f"flags-poller {self._source.name}", daemon=True)
            try:
                thread.start()
            except RuntimeError:
                log.exception("%s: cannot start the flags poller; serving defaults", self._source.name)
                return
            self._thread = thread

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.poll()
            except Exception:  # poll() handles source failures; this guards the thread itself
                log.exception("%s: flags poller failed; retrying", self._source.name)
                delay = self._source.poll_interval
            self._stop.wait(delay)

    # -- polling --------------------------------------------------------------------------------
    def poll(self) -> float:
        """Fetch from the source if a poll is due (never earlier); returns seconds until the next one.

        The background poller calls this; call it yourself with ``background=False``.
        """
        events: list[tuple[ClientEvent, EventDetails]] = []
        with self._poll_lock:
            now = self._clock()
            if self._closed or now < self._next_due:
                return max(0.0, self._next_due - now)
            try:
                result = self._source.fetch()
                if isinstance(result, Snapshot):
                    self._accept(result, events)
            except Exception as exc:  # noqa: BLE001 - the poller must survive anything; _failed logs it
                delay = self._failed(exc, events)
            else:
                delay = self._succeeded(result, events)
            self._polls += 1
            self._next_due = self._clock() + delay
            self._polled.set()
        for event, details in events:
            self._emit(event, details)
        return delay

    def _accept(self, snapshot: Snapshot, events: list[tuple[ClientEvent, EventDetails]]) -> None:
        snapshot = self._readable(snapshot)
        previous = self._view.snapshot
        self._rejected_version = None
        changed = _changed_keys(previous, snapshot)
        if previous is not None and not changed:
            # A new session (or a re-fetch) delivers the current version again: nothing changed, no event.
            if snapshot.version_label != previous.version_label:  # same flags: reads and status show the new label
                self._view = _view(snapshot, self._catalogue.resolve_all(snapshot))
                log.info("%s: configuration version %s has the same flags as version %s", self._source.name,
                         snapshot.version_label or "(no label)", previous.version_label or "(no label)")
            else:
                log.debug("%s: configuration version %s delivered again, unchanged", self._source.name,
                          snapshot.version_label or "(no label)")
            return
        self._view = _view(snapshot, self._catalogue.resolve_all(snapshot))
        if previous is not None:
            self._changes += 1
            events.append((ClientEvent.CHANGED, EventDetails(flags_changed=changed)))
        log.info("%s: loaded configuration version %s (flags changed: %s)", self._source.name,
                 snapshot.version_label or "(no label)", ", ".join(changed) or "none")

    def _readable(self, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` with each flag the catalogue refuses moved to ``unreadable``; one bad flag never rejects the rest.

        An unreadable flag keeps the value last served for it, if any (its declared default otherwise).
        A problem of the whole document (its size) rejects the version: the last good one stays.
        """
        by_flag, whole = self._catalogue.problems_by_flag(snapshot)
        if whole:
            shown = "; ".join(str(p) for p in whole[:5]) + (f" (+{len(whole) - 5} more)" if len(whole) > 5 else "")
            raise SourceError("InvalidContent", shown, kind=ErrorKind.CONTENT, version_label=snapshot.version_label)
        unreadable = {**snapshot.unreadable, **{key: "; ".join(str(p) for p in found) for key, found in by_flag.items()}}
        if not unreadable:
            return snapshot
        previous = self._view.snapshot
        flags = {k: v for k, v in snapshot.flags.items() if k not in by_flag}
        targeting = {k: v for k, v in snapshot.targeting.items() if k not in by_flag}
        for key in unreadable:
            if previous is not None and key in previous.flags:
                flags[key] = previous.flags[key]
                if key in previous.targeting:
                    targeting[key] = previous.targeting[key]
        if self._unreadable_logged != unreadable:
            self._unreadable_logged = unreadable
            for key, reason in unreadable.items():
                kept = "keeping its last good value" if key in flags else "serving its declared default"
                log.warning("%s: configuration version %s: flag %s cannot be read, %s: %s", self._source.name,
                            snapshot.version_label or "(no label)", key, kept, reason)
        return Snapshot(flags=MappingProxyType(flags), version_label=snapshot.version_label,
                        targeting=MappingProxyType(targeting), unreadable=MappingProxyType(unreadable),
                        experiments=snapshot.experiments)

    def _succeeded(self, result: Snapshot | Unchanged, events: list[tuple[ClientEvent, EventDetails]]) -> float:
        if self._failures:
            log.info("%s: flags source recovered after %d failure(s)", self._source.name, self._failures)
        self._failures = 0
        self._logged_code = None
        self._last_success = self._clock()
        self._last_success_wall = time.time()
        self._set_health(events)
        return self._source.poll_interval

    def _failed(self, exc: Exception, events: list[tuple[ClientEvent, EventDetails]]) -> float:
        error = exc if isinstance(exc, SourceError) else SourceError(type(exc).__name__, str(exc), kind=ErrorKind.TRANSIENT)
        self._last_error = error
        self._errors_by_code[error.code] = self._errors_by_code.get(error.code, 0) + 1
        self._failures += 1
        self._log_failure(error, unexpected=not isinstance(exc, SourceError))
        self._set_health(events, error)
        if error.kind is ErrorKind.CONTENT:
            # The source works; it just served something unusable. Keep last good, poll as usual.
            self._rejected_version = error.version_label or "(no label)"
            return self._source.poll_interval
        return self._backoff.delay(self._source.poll_interval, self._failures)

    def _log_failure(self, error: SourceError, *, unexpected: bool) -> None:
        now = self._clock()
        name = self._source.name
        if error.kind is ErrorKind.CONTENT:
            log.warning("%s: rejected configuration version %s, keeping the last good one: %s",
                        name, error.version_label or "(no label)", error)
            return
        repeated = error.code == self._logged_code
        if error.kind is ErrorKind.CONFIGURATION:
            level = DEBUG if repeated else ERROR
        else:
            level = DEBUG if repeated and now - self._logged_at < self._warn_every else WARNING
        if level > DEBUG:
            self._logged_code, self._logged_at = error.code, now
        serving = "the last good configuration" if self._view.snapshot is not None else "declared defaults"
        log.log(level, "%s: fetch failed (%d in a row), serving %s: %s", name, self._failures, serving, error,
                exc_info=unexpected and level > DEBUG)

    def _set_health(self, events: list[tuple[ClientEvent, EventDetails]], error: SourceError | None = None) -> None:
        health = self._health_now(self._clock())
        if health is self._health:
            return
        self._health = health
        details = EventDetails(message=str(error) if error else None, error_code=error.code if error else None)
        if health is Health.READY:
            events.append((ClientEvent.READY, details))
        elif health is Health.STALE:
            log.warning("%s: flags are stale: no successful poll for %.0f s", self._source.name,
                        self._clock() - (self._last_success or 0.0))
            events.append((ClientEvent.STALE, details))
        elif health is Health.ERROR:
            events.append((ClientEvent.ERROR, details))

    def _health_now(self, now: float) -> Health:
        if self._view.snapshot is None:
            return Health.ERROR if self._failures else Health.NOT_READY
        if self._failures and (self._last_success is None
                               or now - self._last_success > self._stale_after * self._source.poll_interval):
            return Health.STALE
        return Health.READY

    def _emit(self, event: ClientEvent, details: EventDetails) -> None:
        for listener in list(self._listeners):
            try:
                listener(event, details)
            except Exception:
                log.exception("flags listener %r failed on %s", listener, event.value)

    # -- observability --------------------------------------------------------------------------
    def status(self) -> Status:
        """Source, version, last success, staleness, failures and counters, now."""
        from .status import Status  # here: its class costs a service's start-up about 1 ms

        now = self._clock()
        error = self._last_error
        snapshot = self._view.snapshot
        return Status(
            source=self._source.name,
            health=self._health_now(now),
            version_label=snapshot.version_label if snapshot is not None else None,
            last_success=self._last_success_wall,
            staleness=now - self._last_success if self._last_success is not None else None,
            consecutive_errors=self._failures,
            last_error_code=error.code if error else None,
            last_error=error.message if error else None,
            rejected_version=self._rejected_version,
            next_poll_in=None if self._closed else max(0.0, self._next_due - now),
            polls=self._polls,
            changes=self._changes,
            session_starts=getattr(self._source, "sessions_started", 0) - self._sessions_before,
            errors_by_code=MappingProxyType(dict(self._errors_by_code)),
            unreadable=snapshot.unreadable if snapshot is not None else MappingProxyType({}),
        )

    def __repr__(self) -> str:
        return f"FlagsClient({self._source.name!r})"

    def _after_fork_in_child(self) -> None:
        self._source.reset()
        self._new_process()


def _changed_keys(previous: Snapshot | None, current: Snapshot) -> tuple[str, ...]:
    before = previous.flags if previous is not None else {}
    rules = previous.targeting if previous is not None else {}
    keys = set(before) | set(current.flags)
    runs = previous.experiments if previous is not None else {}
    keys |= set(runs) | set(current.experiments)
    return tuple(sorted(k for k in keys
                        if before.get(k) != current.flags.get(k) or rules.get(k) != current.targeting.get(k)
                        or runs.get(k) != current.experiments.get(k)))


def _served_by(data: FlagData | None, default_variant: str | None, static: bool) -> Served | None:
    if data is None:
        return None
    if static or data.variant is None:
        return Served.STATIC
    return Served.DEFAULT if data.variant == default_variant else Served.RULE


def _agent_served_by(data: FlagData, without_context: FlagData, rules: FlagRules | None) -> Served:
    """Why the Agent answered ``data``: it names the variant only, the catalogue says whether it is the default."""
    variant = data.variant
    if variant is None:
        return Served.STATIC
    if treatment_of(variant) is not None:
        return Served.TREATMENT
    if rules is not None and rules.static:
        return Served.STATIC
    if rules is None or rules.default_variant is None:
        # Rules the catalogue does not know: the answer without context is taken as the default variant.
        return Served.DEFAULT if variant == without_context.variant else Served.RULE
    return Served.DEFAULT if variant == rules.default_variant else Served.RULE


#: Every live client, so that a forked child can reset them all.
_CLIENTS: weakref.WeakSet[FlagsClient] = weakref.WeakSet()


def _reset_clients_in_child() -> None:
    # The parent's poller threads do not exist here, and its boto3 clients and tokens must not be shared.
    for client in list(_CLIENTS):
        client._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_clients_in_child)
