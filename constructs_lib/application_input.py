"""What the constructs accept as their application: an aws_appconfig ``IApplication`` or a FlagsApplication.

The environment and profile constructs sit below :mod:`.application` (which creates them), so they
know a FlagsApplication by its base class here, :class:`ApplicationConstruct`, not by importing it.
"""
from __future__ import annotations

from aws_cdk import aws_appconfig as appconfig
from constructs import Construct

from .props import Problems


class ApplicationConstruct(Construct):
    """A construct that stands for an AppConfig application: its L2 application is ``resource``.

    The base of :class:`~constructs_lib.FlagsApplication`.
    """

    resource: appconfig.Application


#: An ``application=`` prop: an L2 application (``appconfig.Application``, ``Application.from_application_id``)
#: or a :class:`~constructs_lib.FlagsApplication` (an :class:`ApplicationConstruct`), which stands for its ``resource``.
ApplicationInput = appconfig.IApplication | ApplicationConstruct


def resolve_application(problems: Problems, application: object) -> appconfig.IApplication | None:
    """The L2 application ``application`` stands for; ``None`` (and a problem) when it is neither kind.

    A FlagsApplication is not an ``IApplication`` to jsii: passed as one, the CDK would read no
    ``applicationId`` and CloudFormation would refuse the template. Its ``resource`` is.
    """
    if isinstance(application, ApplicationConstruct):
        return application.resource
    # Only a jsii object (an L2 or an import) answers the CDK's reads of applicationId.
    if hasattr(application, "__jsii_ref__") and isinstance(getattr(application, "application_id", None), str):
        return application  # type: ignore[return-value]
    problems.add("application", "must be a FlagsApplication or an aws_appconfig IApplication "
                 "(appconfig.Application, Application.from_application_id)", application)
    return None


def same_application(first: appconfig.IApplication, second: appconfig.IApplication) -> bool:
    """Whether both stand for one application: the same object, or two imports of one ID."""
    return first is second or first.application_id == second.application_id
