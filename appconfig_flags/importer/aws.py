"""A deployed profile's documents, read from AppConfig with boto3 (read-only: List* and Get* calls).

The version an environment serves is the one of its newest COMPLETE deployment of the profile, found
as the ops commands find it (:meth:`appconfig_flags.ops.control_plane.ControlPlane.deployments`:
whatever ListDeployments' order, with or without ``ConfigurationProfileId`` in its summaries); a
deployment in progress, rolled back or reverted does not count. The content is
GetHostedConfigurationVersion's ("GetHostedConfigurationVersion", AWS AppConfig API reference).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


class ReadError(Exception):
    """The profile, an environment or a version cannot be read; the message says which."""


class AppConfigReader:
    """The documents of one application's feature-flag profile, per environment.

    ``region``: Default: the AWS configuration's. ``endpoint_url``: Default: AppConfig's (tests point it at a fake).
    """

    def __init__(self, *, region: str | None = None, endpoint_url: str | None = None) -> None:
        try:
            import boto3  # noqa: F401 - checked here for a plain message
        except ImportError:
            raise ReadError("reading AppConfig needs boto3: pip install 'appconfig-flags[appconfigdata]'") from None
        from appconfig_flags.ops.control_plane import ControlPlane, OpsError

        try:
            self.plane = ControlPlane(region=region, endpoint_url=endpoint_url)
        except OpsError as error:
            raise ReadError(str(error)) from None
        self.client = self.plane.client

    def _pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        method = getattr(self.client, _snake(operation))
        while True:
            try:
                page = method(**params)
            except Exception as error:  # noqa: BLE001 - botocore's errors: one line, no traceback
                raise ReadError(f"{operation} failed: {error}") from None
            yield from page.get("Items", [])
            token = page.get("NextToken")
            if not token:
                return
            params = {**params, "NextToken": token}

    def _named(self, operation: str, name: str, what: str, **params: Any) -> dict[str, Any]:
        items = list(self._pages(operation, **params))
        found = [i for i in items if i.get("Name") == name]
        if not found:
            raise ReadError(f"no {what} named {name!r}; there are {sorted(str(i.get('Name')) for i in items)}")
        return found[0]

    def documents(self, application: str, profile: str, *, environments: Sequence[str] | None = None,
                  versions: Mapping[str | None, int] | None = None) -> dict[str | None, bytes]:
        """Each environment's served document (``environments``, Default: every one that serves the profile).

        ``versions`` names hosted version numbers instead: ``{"Beta": 3}`` for an environment, or
        ``{None: 3}`` alone for one document without environments.
        """
        versions = dict(versions or {})
        app = self._named("ListApplications", application, "application")
        found = self._named("ListConfigurationProfiles", profile, f"configuration profile of {application}",
                            ApplicationId=app["Id"])
        if None in versions:
            return {None: self._content(app["Id"], found["Id"], versions[None])}
        listed = list(self._pages("ListEnvironments", ApplicationId=app["Id"]))
        by_name = {e["Name"]: e for e in listed}
        wanted = list(environments) if environments is not None else [e["Name"] for e in listed]
        for name in [*wanted, *versions]:
            if name not in by_name:
                raise ReadError(f"{application} has no environment {name!r}; it has {sorted(by_name)}")
        out: dict[str | None, bytes] = {}
        for name in wanted + [v for v in versions if v not in wanted]:
            number = versions.get(name)
            if number is None:
                number = self._served(app["Id"], by_name[name]["Id"], found["Id"], profile)
                if number is None:
                    if environments is not None:
                        raise ReadError(f"{name} serves no version of {profile} (no COMPLETE deployment)")
                    continue
            out[name] = self._content(app["Id"], found["Id"], number)
        if not out:
            raise ReadError(f"no environment of {application} serves {profile} (no COMPLETE deployment)")
        return out

    def _served(self, application_id: str, environment_id: str, profile_id: str, profile: str) -> int | None:
        from appconfig_flags.ops.control_plane import Named, OpsError, served

        try:
            deployments = self.plane.deployments(Named(application_id, ""), Named(environment_id, ""),
                                                 Named(profile_id, profile))
        except OpsError as error:
            raise ReadError(str(error)) from None
        deployment = served(deployments)
        if deployment is None:
            return None
        if not deployment.version.isdigit():
            raise ReadError(f"deployment {deployment.number} serves {deployment.version!r}, not a hosted version number")
        return int(deployment.version)

    def _content(self, application_id: str, profile_id: str, number: int) -> bytes:
        try:
            answer = self.client.get_hosted_configuration_version(
                ApplicationId=application_id, ConfigurationProfileId=profile_id, VersionNumber=number)
        except Exception as error:  # noqa: BLE001
            raise ReadError(f"GetHostedConfigurationVersion {number} failed: {error}") from None
        content = answer["Content"]
        return bytes(content.read() if hasattr(content, "read") else content)


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
