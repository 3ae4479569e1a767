"""What the constructs accept as their application: an aws_appconfig ``IApplication`` or a FlagsApplication.

The environment and profile constructs sit below :mod:`.application` (which creates them), so they
know a FlagsApplication by its base class here, :class:`ApplicationConstruct`, not by importing it.
"""
from __future__ import annotations

from typing import ClassVar

from aws_cdk import Token
from aws_cdk import aws_appconfig as appconfig
from constructs import Construct


class ApplicationConstruct(Construct):
    """A construct that stands for an AppConfig application: its aws_appconfig application is ``resource``.

    The base of :class:`~constructs_lib.FlagsApplication`.
    """

    #: What a type error calls this class: props name it so (``application: must be ... | FlagsApplication``).
    described_as: ClassVar[str] = "FlagsApplication"

    resource: appconfig.IApplication
    #: The application's AppConfig name; ``None`` when not known at synth time (an import by ID).
    application_name: str | None


#: An ``application=`` prop: an aws_appconfig ``IApplication`` (``appconfig.Application``, of this or another
#: stack, ``Application.from_application_id``) or a :class:`~constructs_lib.FlagsApplication`, which stands for
#: its ``resource``.
ApplicationInput = appconfig.IApplication | ApplicationConstruct


def resolve_application(application: ApplicationInput) -> appconfig.IApplication:
    """The aws_appconfig application ``application`` stands for.

    A FlagsApplication is not an ``IApplication`` to jsii: passed as one, the CDK would read no
    ``applicationId`` and CloudFormation would refuse the template. Its ``resource`` is.
    """
    return application.resource if isinstance(application, ApplicationConstruct) else application


def application_name_of(application: ApplicationInput) -> str | None:
    """The application's name, or ``None`` when it is not known at synth time."""
    if isinstance(application, ApplicationConstruct):
        return application.application_name
    name = application.name
    return name if isinstance(name, str) and not Token.is_unresolved(name) else None


def same_application(first_id: str, second_id: str) -> bool:
    """Whether two application IDs name one application: one object's ID (a token), or two imports of one ID."""
    return first_id == second_id
