"""Helpers the template tests share: cfn-lint, and templates made stable for snapshots."""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cfnlint.runner import Runner

#: The regions cfn-lint checks every template against.
REGIONS = ("us-east-1",)
#: Part of each kept verdict's key: change it when _lint reports differently (another severity, format).
VERDICT_FORMAT = "errors-1"
#: Where cfn-lint's verdicts are kept between runs: a folder of pytest's cache, set by tests/conftest.py
#: (None with ``-p no:cacheprovider``: every template is linted anew).
verdicts: Path | None = None


@functools.cache
def _cfn_lint_runner() -> Runner:
    # One set of rules for every template this process lints, as the cfn-lint CLI keeps for the files it is
    # given: ``cfnlint.api.lint`` would load all the rule modules again for each (~0.6 s a template).
    # Imported here: cfn-lint brings sympy and networkx, a second of every test worker's collection.
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=list(REGIONS)))


def cfn_lint_errors(template: dict[str, Any]) -> list[str]:
    """cfn-lint's errors (not warnings or informational findings) for ``template``."""
    return list(_cfn_lint_errors_of(json.dumps(template)))


@functools.lru_cache(maxsize=64)
def _cfn_lint_errors_of(text: str) -> tuple[str, ...]:
    # By the template's text: tests that synthesize the same stack (FlagsDemo in the pipeline's synths too)
    # lint it once per process, and a verdict kept in pytest's cache serves the other worker and later runs.
    # cfn-lint's verdict depends only on the text, its version (rules and resource specs ship with it) and
    # the regions (and what _lint keeps of it), so that is the key: a changed template or another cfn-lint is
    # linted anew.
    key = hashlib.sha256("\0".join([VERDICT_FORMAT, version("cfn-lint"), *REGIONS, text]).encode()).hexdigest()
    kept = verdicts / f"{key}.json" if verdicts is not None else None
    if kept is not None and kept.is_file():
        return tuple(json.loads(kept.read_text()))
    found = _lint(text)
    if kept is not None:
        # Written whole or not at all: the other worker may read the same verdict meanwhile.
        with tempfile.NamedTemporaryFile("w", dir=kept.parent, suffix=".tmp", delete=False) as out:
            json.dump(found, out)
        os.replace(out.name, kept)
    return found


def _lint(text: str) -> tuple[str, ...]:
    from cfnlint.decode.decode import decode_str

    decoded, problems = decode_str(text)
    assert decoded is not None, problems
    matches = [*problems, *_cfn_lint_runner().validate_template(decoded)]
    return tuple(f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches if m.rule.severity == "error")


def stable(template: dict[str, Any]) -> dict[str, Any]:
    """``template`` without what changes with tool versions: CDK metadata, the bootstrap version check."""
    out = copy.deepcopy(template)
    out.get("Resources", {}).pop("CDKMetadata", None)
    out.get("Conditions", {}).pop("CDKMetadataAvailable", None)
    out.get("Parameters", {}).pop("BootstrapVersion", None)
    out.get("Rules", {}).pop("CheckBootstrapVersion", None)
    for section in ("Conditions", "Parameters", "Rules"):
        if section in out and not out[section]:
            del out[section]
    return out
