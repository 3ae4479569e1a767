"""The short-term flag report, moved to :mod:`appconfig_flags.short_term_report` (the runtime package: no CDK).

Kept so that ``python -m constructs_lib.short_term_report`` and imports from here keep working;
``appconfig-flags report`` is the command.
"""
from __future__ import annotations

import sys

from appconfig_flags.short_term_report import (
    EXCLUDED_DIRS,
    MAX_FILE_BYTES,
    Place,
    ShortTermFlag,
    find_keys,
    flag_names,
    format_report,
    load_profiles,
    main,
    short_term_flags,
)

__all__ = ["EXCLUDED_DIRS", "MAX_FILE_BYTES", "Place", "ShortTermFlag", "find_keys", "flag_names", "format_report",
           "load_profiles", "main", "short_term_flags"]

if __name__ == "__main__":
    sys.exit(main())
