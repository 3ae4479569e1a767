"""``python -m appconfig_flags COMMAND``: the ``appconfig-flags`` command (:mod:`appconfig_flags.cli`)."""
import sys

from appconfig_flags.cli import main

sys.exit(main())
