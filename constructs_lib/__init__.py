"""AWS AppConfig feature flags as code: the CDK constructs that deploy flags declared with :mod:`appconfig_flags.model`.

The flag model (``Flag``, ``Profile``, ...) is plain Python in the runtime distribution
``appconfig-flags``: import it from :mod:`appconfig_flags.model`. This package holds the constructs
only; they need aws-cdk-lib and are imported on first use (PEP 562), so that importing the package
costs nothing until a construct is read.

Public API: the names in ``__all__``, all importable from here
(``from constructs_lib import FlagsApplication``); the submodules' other names may change in any
release. docs/reuse.md shows how to install and use the package.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .application import FlagsApplication
    from .environment import GuardedEnvironment, GuardedEnvironmentOptions
    from .experiment import FlagExperiment
    from .feature_flag_profile import FeatureFlagOptions, FeatureFlagProfile, IFeatureFlagProfile
    from .monitors import AlarmMonitor
    from .props import PropsError
    from .strategies import FlagRollout

#: Each public name, and the submodule that defines it; imported by ``__getattr__`` when first read.
_CONSTRUCTS = {
    "FlagsApplication": ".application",
    "GuardedEnvironment": ".environment",
    "GuardedEnvironmentOptions": ".environment",
    "FlagExperiment": ".experiment",
    "FeatureFlagProfile": ".feature_flag_profile",
    "FeatureFlagOptions": ".feature_flag_profile",
    "IFeatureFlagProfile": ".feature_flag_profile",
    "AlarmMonitor": ".monitors",
    "FlagRollout": ".strategies",
    "PropsError": ".props",
}

#: The public API: the constructs and what their props take, each imported on first use.
__all__ = [
    "AlarmMonitor",
    "FeatureFlagOptions",
    "FeatureFlagProfile",
    "FlagExperiment",
    "FlagRollout",
    "FlagsApplication",
    "GuardedEnvironment",
    "GuardedEnvironmentOptions",
    "IFeatureFlagProfile",
    "PropsError",
]

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from appconfig_flags._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, _CONSTRUCTS, __all__)
