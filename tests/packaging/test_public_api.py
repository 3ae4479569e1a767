"""The public API of constructs_lib: the constructs by name, no CDK until one is read, documented."""
from __future__ import annotations

import ast
import enum
import inspect
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import constructs_lib
from tests.conftest import ROOT

CONSTRUCT_NAMES = {"FlagsApplication", "GuardedEnvironment", "FeatureFlagProfile", "IFeatureFlagProfile", "AlarmMonitor",
                   "FlagRollout", "PropsError", "GuardedEnvironmentOptions", "FeatureFlagOptions", "FlagExperiment"}


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: this test session has imported aws_cdk long ago.
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)


def test_importing_the_model_does_not_load_aws_cdk() -> None:
    result = _run_python("import appconfig_flags.model, sys; assert 'aws_cdk' not in sys.modules, 'aws_cdk loaded'")
    assert result.returncode == 0, result.stderr


def test_importing_the_package_loads_aws_cdk_only_when_a_construct_is_read() -> None:
    result = _run_python(
        "import sys, constructs_lib\n"
        "assert 'aws_cdk' not in sys.modules, 'aws_cdk loaded by the package'\n"
        "constructs_lib.FlagsApplication\n"
        "assert 'aws_cdk' in sys.modules, 'FlagsApplication did not import the construct'\n"
    )
    assert result.returncode == 0, result.stderr


def test_the_constructs_are_exported_by_name() -> None:
    from constructs_lib.application import FlagsApplication
    from constructs_lib.environment import GuardedEnvironmentOptions
    from constructs_lib.feature_flag_profile import FeatureFlagOptions
    from constructs_lib.strategies import FlagRollout

    assert CONSTRUCT_NAMES <= set(constructs_lib.__all__)
    assert constructs_lib.FlagsApplication is FlagsApplication
    assert constructs_lib.FlagRollout is FlagRollout
    # The typed options of add_environment/add_feature_flags, for callers that build them apart.
    assert constructs_lib.GuardedEnvironmentOptions is GuardedEnvironmentOptions
    assert constructs_lib.FeatureFlagOptions is FeatureFlagOptions


def test_the_public_api_is_exactly_the_constructs() -> None:
    # The flag model is imported from appconfig_flags.model, not from here: one home for each name.
    assert set(constructs_lib.__all__) == CONSTRUCT_NAMES
    assert len(constructs_lib.__all__) == len(set(constructs_lib.__all__))
    assert not hasattr(constructs_lib, "Profile") and not hasattr(constructs_lib, "model")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'constructs_lib' has no attribute 'FlagApplication'"):
        constructs_lib.FlagApplication  # type: ignore[attr-defined]  # noqa: B018


def test_type_checkers_see_every_lazily_imported_name() -> None:
    # Type checkers read the TYPE_CHECKING imports, the interpreter reads _CONSTRUCTS: they must agree.
    tree = ast.parse(Path(constructs_lib.__file__).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    seen = {(f".{node.module}", alias.name) for node in block.body if isinstance(node, ast.ImportFrom)
            for alias in node.names}
    lazy = {(module, name) for name, module in constructs_lib._CONSTRUCTS.items()}
    assert seen == lazy
    assert set(constructs_lib._CONSTRUCTS) == CONSTRUCT_NAMES


def _undocumented(name: str, obj: object) -> list[str]:
    """``name`` and its public methods and properties that have no docstring of their own."""
    if inspect.isfunction(obj):
        return [] if obj.__doc__ else [name]
    if not isinstance(obj, type):  # a type alias such as AttributeValue
        return []
    own = vars(obj).get("__doc__") or ""
    # dataclasses write "Name(field, ...)" where the docstring is missing
    missing = [name] if not own or own.startswith(f"{obj.__name__}(") else []
    if issubclass(obj, enum.Enum):
        return missing
    for member, value in vars(obj).items():
        if member.startswith("_"):
            continue
        function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        if (isinstance(value, property) or inspect.isfunction(function)) and not function.__doc__:
            missing.append(f"{name}.{member}")
    return missing


def test_every_public_name_and_its_public_members_have_a_docstring() -> None:
    missing = [m for name in constructs_lib.__all__ for m in _undocumented(name, getattr(constructs_lib, name))]
    assert missing == [], f"no docstring (the API reference shows these empty): {missing}"
    assert constructs_lib.__doc__


def test_the_changelog_describes_the_released_version() -> None:
    found = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert found is not None
    version = found.group(1)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{version}] - " in changelog, f"CHANGELOG.md has no section for {version}"


def test_the_api_reference_builds_with_every_public_name(tmp_path: Path) -> None:
    # What `make docs` runs (pdoc constructs_lib -o site/api), through pdoc's API in this process, which has the
    # jsii kernel running already: pdoc imports the package (the lazy constructs too) and documents __all__.
    import pdoc

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an annotation pdoc cannot resolve is a warning: a hole in the reference
        pdoc.pdoc("constructs_lib", output_directory=tmp_path)
    page = (tmp_path / "constructs_lib.html").read_text()
    absent = [name for name in constructs_lib.__all__ if f'id="{name}"' not in page]
    assert absent == []


def test_the_minimal_app_in_docs_reuse_synthesizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The snippet runs unchanged in this process, its App writing to tmp_path (a new `python minimal.py` would
    # only repeat the jsii start-up that tests/packaging/test_wheel.py runs for the installed wheels).
    import aws_cdk as cdk

    text = (ROOT / "docs" / "reuse.md").read_text()
    start = text.index("```python\n") + len("```python\n")
    snippet = text[start:text.index("```", start)]
    app_class = cdk.App
    monkeypatch.setattr(cdk, "App", lambda **props: app_class(**props, outdir=str(tmp_path / "out"),
                                                              analytics_reporting=False))
    exec(compile(snippet, "docs/reuse.md", "exec"), {"__name__": "minimal"})  # noqa: S102 - the snippet under test
    template = json.loads((tmp_path / "out" / "SearchFlags.template.json").read_text())
    assert sorted(r["Properties"]["Name"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::AppConfig::Environment") == ["Prod", "Test"]
