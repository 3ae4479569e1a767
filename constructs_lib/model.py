"""The flag model, re-exported: it lives in :mod:`appconfig_flags.model` (no CDK) since 0.2.0."""
from appconfig_flags.model import *
from appconfig_flags.model import __all__  # noqa: F401
