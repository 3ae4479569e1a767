"""Pick a source by name, as the demo's ``--source`` does."""
from __future__ import annotations

from typing import Any

from appconfig_flags.model import Profile

from .agent import AgentSource
from .appconfigdata import AppConfigDataSource
from .local import LocalSource
from .source import FlagSource
from .watch import CatalogueFileSource, WatchedFileSource

#: ``catalogue`` and ``agent-files`` follow local files as they are edited (:mod:`.watch`).
SOURCE_KINDS = ("local", "catalogue", "agent-files", "appconfig", "agent")


def make_source(
    kind: str,
    *,
    profile: Profile,
    environment: str,
    application: str | None = None,
    profile_name: str | None = None,
    **options: Any,
) -> FlagSource:
    """A source of one of :data:`SOURCE_KINDS` for ``profile`` in ``environment``.

    ``catalogue`` renders the catalogue module's files again after each edit (options ``root``,
    ``module``; Default: ``flags`` in the current directory); ``agent-files`` reads the Agent
    local-development file in ``directory`` (Default: ``agent-local``) again after each edit.

    ``application`` is the AppConfig application's name or ID (Default: ``profile.application``; the
    kinds that read from AppConfig or its Agent raise ``ValueError`` when neither names one).
    ``profile_name`` is the AppConfig profile name or ID (Default: ``profile.name``); ``options``
    go to the source's constructor (``poll_interval``, ``region``, ``endpoint_url``, ``port``...). An
    ``appconfig`` source without ``region`` takes ``$AWS_REGION``, then ``$AWS_DEFAULT_REGION``
    (:func:`~.appconfigdata.region_from_environment`), then the AWS config file.
    """
    if kind == "local":
        return LocalSource(profile, environment, **options)
    name = profile_name or profile.name
    if kind == "catalogue":
        return CatalogueFileSource(profile.name, environment, **options)
    if kind not in SOURCE_KINDS:
        raise ValueError(f"unknown flag source {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")
    application = application or profile.application
    if not application:
        raise ValueError(f"a {kind!r} source reads an AppConfig application, and profile {profile.name!r} names none: "
                         "add application=\"...\" to its Profile (or pass application=...)")
    if kind == "agent-files":
        directory = options.pop("directory", "agent-local")
        return WatchedFileSource.agent_local_file(directory, application=application, environment=environment,
                                                  profile=name, **options)
    if kind == "appconfig":
        return AppConfigDataSource(application=application, environment=environment, profile=name, **options)
    if kind == "agent":
        # Experiment flags: reads with an entity id ask the Agent, which assigns the treatments.
        options.setdefault("experiment_flags", tuple(e.flag_key for e in profile.experiments_in(environment)))
        return AgentSource(application=application, environment=environment, profile=name, **options)
    raise ValueError(f"unknown flag source {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")
