"""The written module is formatted code that passes ruff and mypy --strict, for hand-written and generated documents."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from appconfig_flags.importer import import_documents
from flags import CHECKOUT_FLAGS
from tests.conftest import ROOT
from tests.mypy_runs import mypy

from .test_import_documents import DOCUMENTS, environment_documents

pytestmark = pytest.mark.slow  # runs ruff and mypy once over some seventy modules


CHECKOUT_DOCUMENTS = {env: CHECKOUT_FLAGS.render(env) for env in ("Beta", "Production")}


def _modules() -> list[str]:
    texts = [import_documents("CheckoutFlags", CHECKOUT_DOCUMENTS, typed=typed) for typed in (False, True)]
    texts += [import_documents("Imported", {None: text}, typed=typed) for text in DOCUMENTS.values()
              for typed in (False, True)]

    @settings(max_examples=25, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow])
    @given(environment_documents())
    def collect(documents: dict[str | None, Any]) -> None:
        texts.extend(import_documents("Gen", documents, typed=typed) for typed in (False, True))

    collect()
    return texts


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def test_written_modules_are_formatted_and_pass_ruff_and_mypy_strict(tmp_path: Path) -> None:
    paths = []
    for number, text in enumerate(_modules()):
        path = tmp_path / f"imported_{number}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    # Long strings stay on one line, as ruff format leaves them: E501 is the one rule left out.
    ruff = _run("ruff", "check", "--isolated", "--line-length", "120", "--select", "E,F,W,I,UP,B", "--ignore", "E501",
                *paths)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    formatted = _run("ruff", "format", "--isolated", "--check", "--line-length", "120", *paths)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = mypy("--strict", "--follow-imports=silent", *paths, cache="module-lints")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# A service reading the typed module: the value types, and an attribute of another flag.
SERVICE = """
from appconfig_flags.client import FlagsClient, LocalSource
from checkout_typed import ALLOW_BITCOIN_AT_CHECKOUT, BITCOIN_DISCOUNT_PERCENTAGE, CHECKOUT_FLAGS, LAYOUT

client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS)
reveal_type(client.value(ALLOW_BITCOIN_AT_CHECKOUT, BITCOIN_DISCOUNT_PERCENTAGE))
client.value(ALLOW_BITCOIN_AT_CHECKOUT, LAYOUT)
"""


def test_a_typed_module_makes_reads_typed_and_an_attribute_of_another_flag_a_type_error(tmp_path: Path) -> None:
    (tmp_path / "checkout_typed.py").write_text(import_documents("CheckoutFlags", CHECKOUT_DOCUMENTS, typed=True))
    (tmp_path / "service.py").write_text(SERVICE)
    service = str(tmp_path / "service.py")
    result = mypy("--strict", "--follow-imports=silent", service, cache="module-lints-typed", mypypath=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].endswith('service.py:6: note: Revealed type is "float | None"'), result.stdout
    assert "service.py:7: error:" in lines[1], result.stdout
    assert result.stdout.count("error:") == 1, result.stdout


def test_pyright_sees_the_same_types_and_the_same_error(tmp_path: Path) -> None:
    pyright = shutil.which("pyright")
    if pyright is None:
        pytest.skip("needs pyright on PATH for the pyright check: npm install -g pyright (mypy's checks run above)")
    (tmp_path / "checkout_typed.py").write_text(import_documents("CheckoutFlags", CHECKOUT_DOCUMENTS, typed=True))
    (tmp_path / "service.py").write_text(SERVICE)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict", "extraPaths": [str(ROOT)]}))
    result = subprocess.run([pyright, "--pythonpath", sys.executable, "service.py", "checkout_typed.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600, check=False)
    assert 'service.py:6:13 - information: Type of "client.value(ALLOW_BITCOIN_AT_CHECKOUT, BITCOIN_DISCOUNT_PERCENTAGE)"' \
           ' is "float | None"' in result.stdout, result.stdout
    errors = [line for line in result.stdout.splitlines() if " - error: " in line]
    assert errors and all("service.py:7:" in line for line in errors), result.stdout
