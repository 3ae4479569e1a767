"""AWS AppConfig feature flags as code, the runtime half: the typed flag model and the flags client.

One import path for everything a catalogue or a service uses::

    from appconfig_flags import Attribute, Flag, FlagValue, Profile, Rule, Variant, ctx   # declare
    from appconfig_flags import FlagsClient, make_source                               # read

Nothing here imports the AWS CDK, and every name is imported the first time it is read (PEP 562), so
``import appconfig_flags`` costs next to nothing and a service pays only for what it uses.
:mod:`appconfig_flags.model` declares and validates flags with AppConfig's own rules;
:mod:`appconfig_flags.client` reads them in a service (AppConfig Agent or Lambda extension, local
files, or appconfigdata through boto3). The CDK constructs that deploy the same flag objects are the
``constructs_lib`` package (distribution ``appconfig-flags-constructs``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"

if TYPE_CHECKING:
    from .client import FlagsClient, FlagSource, FlagState, LocalSource, SourceError, Status, make_source
    from .model import (
        Attribute,
        Constraints,
        Experiment,
        ExperimentRun,
        Flag,
        FlagValidationError,
        FlagValue,
        Problem,
        Profile,
        Rule,
        ShortTerm,
        Treatment,
        Variant,
        ctx,
        retrieval_form,
    )

_MODEL = ("Attribute", "Constraints", "Experiment", "ExperimentRun", "Flag", "FlagValidationError", "FlagValue",
          "Problem", "Profile", "Rule", "ShortTerm", "Treatment", "Variant", "ctx", "retrieval_form")
_CLIENT = ("FlagSource", "FlagState", "FlagsClient", "LocalSource", "SourceError", "Status", "make_source")

#: The public API: the flag model's and the client's everyday names (the subpackages hold the rest).
__all__ = [
    "Attribute",
    "Constraints",
    "Experiment",
    "ExperimentRun",
    "Flag",
    "FlagSource",
    "FlagState",
    "FlagValidationError",
    "FlagValue",
    "FlagsClient",
    "LocalSource",
    "Problem",
    "Profile",
    "Rule",
    "ShortTerm",
    "SourceError",
    "Status",
    "Treatment",
    "Variant",
    "__version__",
    "ctx",
    "make_source",
    "retrieval_form",
]

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from ._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(
        __name__, {**dict.fromkeys(_MODEL, "appconfig_flags.model"), **dict.fromkeys(_CLIENT, "appconfig_flags.client")},
        __all__)
