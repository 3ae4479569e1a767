"""Shared fixtures: one synth of the whole app per test session."""
from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.hooks
import botocore.loaders
import botocore.session
import pytest

ROOT = Path(__file__).resolve().parent.parent

# The testing toolkit's fixtures (served_flags, flags_agent; this checkout does not install the
# runtime wheel, whose pytest11 entry point would load them), and pytester to test that plugin.
pytest_plugins = ["appconfig_flags.testing", "pytester"]

# botocore parses its endpoint and service-model JSON anew for every Session (~0.2 s each). The ops commands
# and clients make one Session per run, which is once per process in use, but hundreds of times in one test
# process: here every Session shares one data loader, as clients of one Session do, so each file is parsed once.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]
# Likewise each Session's event aliaser starts with an empty cache of aliased event names and works out
# each of the hundreds of names its handlers register anew (~10 ms a Session). The answer depends only on
# the aliases, which are botocore's EVENT_ALIASES for every Session made here: one cache serves them all.
_ALIASED_NAMES: dict[str, str] = {}
_new_aliaser = botocore.hooks.EventAliaser.__init__


def _aliaser_sharing_names(self: botocore.hooks.EventAliaser, event_emitter: Any, event_aliases: Any = None) -> None:
    _new_aliaser(self, event_emitter, event_aliases)
    if event_aliases is None:
        self._alias_name_cache = _ALIASED_NAMES


botocore.hooks.EventAliaser.__init__ = _aliaser_sharing_names  # type: ignore[method-assign]

# jsii runs on the PATH's node: use the supported one the Makefile would use (no EOL banners).
_node_bin = subprocess.run([str(ROOT / "scripts" / "ensure-node")], capture_output=True, text=True, check=True).stdout.strip()
if _node_bin and not os.environ.get("PATH", "").startswith(_node_bin):
    os.environ["PATH"] = f"{_node_bin}{os.pathsep}{os.environ.get('PATH', '')}"


def cdk_context() -> dict[str, Any]:
    """The context of cdk.json, as `cdk synth` passes it to the app."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class AppRun:
    """How a run of the app ended: its exit code (0 when it returned) and what it wrote to stderr."""

    returncode: int
    stderr: str


def run_app(context: dict[str, Any], outdir: Path) -> AppRun:
    """app.py's ``main`` in this process, as ``python app.py`` runs it, with ``context`` for cdk.json's.

    The CDK CLI hands the app its context through the environment, which the jsii kernel this
    process already runs would not see again; the app is given it directly, and everything after
    (``wire``, the synth, the entry point's error handling) is app.py's own. One test runs the real
    ``cdk synth`` process end to end (tests/stacks/test_bad_input.py).
    """
    import aws_cdk as cdk

    from app import wire
    from stacks.entrypoint import run

    def main() -> None:
        app = cdk.App(context=context, outdir=str(outdir), analytics_reporting=False)
        wire(app)
        app.synth()

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            run(main)
        except SystemExit as exit_:
            return AppRun(exit_.code if isinstance(exit_.code, int) else 1, stderr.getvalue())
    return AppRun(0, stderr.getvalue())


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app as app.py wires it, synthesized once for the whole session; yields (app, cloud assembly).

    Its context is cdk.json's with the pipeline enabled (tests/stacks/conftest.py), so one synth
    holds every stack: the workstation stack FlagsDemo is environment-agnostic, so the stage
    accounts given for the pipeline do not change it.
    """
    import aws_cdk as cdk

    from app import wire
    from tests.stacks.conftest import pipeline_app_context

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=pipeline_app_context(), outdir=str(outdir), analytics_reporting=False)
    wire(app)
    return app, app.synth()


def pytest_configure(config: pytest.Config) -> None:
    """cfn-lint's verdicts are kept in pytest's cache (tests/template_checks.py); ``--cache-clear`` lints anew."""
    from tests import template_checks

    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    template_checks.verdicts = cache.mkdir("cfn-lint-verdicts") if cache is not None else None


#: Session fixtures whose tests run on one worker, so that it is made once, not once per worker: the whole
#: app's synth and the one headless Chromium.
SHARED_ON_ONE_WORKER = {"synthesized": "jsii", "chromium": "chromium"}
#: Tests that build CDK apps in the test process run on one worker too (group "jsii"): its jsii kernel's
#: first synth costs about 3 s of CPU (aws-cdk-lib's JavaScript loaded and compiled, CloudFormation's
#: validation rules instantiated), once instead of once per worker. The local-AWS tests (they synthesize the
#: app they deploy) share their worker. By folder or file under tests/, and the one test below elsewhere.
IN_PROCESS_CDK = ("constructs_lib/", "stacks/", "integration/", "packaging/test_lambda_reader_example.py",
                  "packaging/test_storefront_example.py")
IN_PROCESS_CDK_TESTS = ("test_the_minimal_app_in_docs_reuse_synthesizes",)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group again under pytest 9; group SHARED_ON_ONE_WORKER's and IN_PROCESS_CDK's tests.

    pytest-xdist 3.8 marks a grouped test by appending ``@group`` to ``item._nodeid``, which
    pytest 9 no longer reads (a node's id is its structured ``_id``), so every group was spread over
    the workers: the packaging tests built their wheels on each, and the local-AWS tests, which
    share one deployment in order, ran on two. The same suffix is put where pytest 9 reads it.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    tests = ROOT / "tests"
    for item in items:
        for fixture, group in SHARED_ON_ONE_WORKER.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))
        where = item.path.relative_to(tests).as_posix() if item.path.is_relative_to(tests) else ""
        if where.startswith(IN_PROCESS_CDK) or getattr(item, "originalname", item.name) in IN_PROCESS_CDK_TESTS:
            item.add_marker(pytest.mark.xdist_group("jsii"))
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if "packaging" in names:
            names = ["packaging"]  # with the wheels and venvs its group builds once (no CDK app in process)
        elif "jsii" in names:
            names = ["jsii"]  # the local-AWS tests' own group runs inside this one, in file order
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]
