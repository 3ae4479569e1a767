"""Operating flags after they are declared: review a change (semantic diff), and the CLIs built on it.

Plain Python, no CDK. :mod:`.flagdiff` compares feature-flag documents; :mod:`.diff` is
``appconfig-flags diff``.
"""
from .flagdiff import FlagChange, diff_catalogues, diff_documents, format_changes

__all__ = ["FlagChange", "diff_catalogues", "diff_documents", "format_changes"]
