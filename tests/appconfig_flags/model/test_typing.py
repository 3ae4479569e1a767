"""The model's types say what it accepts: lists where arrays are meant pass mypy --strict, sets do not."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.mypy_runs import mypy

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow  # runs mypy (a few seconds on the model alone)


def _mypy(script: Path) -> subprocess.CompletedProcess[str]:
    # Only the script's own errors: the package is checked by `make lint`.
    return mypy("--strict", "--follow-imports=silent", str(script), cache="model-typing")


def test_lists_as_array_values_and_enums_and_a_date_attribute_type_check(tmp_path: Path) -> None:
    script = tmp_path / "typed_flags.py"
    script.write_text(
        "from datetime import date\n"
        "from appconfig_flags.model import Attribute, Flag, FlagValue, Profile\n"
        "ids: list[str] = ['a', 'b']\n"
        "caps: list[int] = [1, 2]\n"
        "flag = Flag(key='f', attributes=(Attribute.string_array('ids'), Attribute.number_array('caps'),\n"
        "                                 Attribute.string('c', enum=['USD', 'BTC']),\n"
        "                                 Attribute.date('ends', format='MM/DD/YYYY', end=True)),\n"
        "            values={'ids': ids, 'caps': caps, 'c': 'USD', 'ends': '12/31/2026'},\n"
        "            environments={'Beta': FlagValue(values={'ids': ['c'], 'caps': [1.5, 2]})})\n"
        "Profile('P', (flag,), environments=('Beta',), today=date(2026, 11, 30), overdue='error')\n"
    )
    result = _mypy(script)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_set_as_an_array_value_is_a_type_error(tmp_path: Path) -> None:
    script = tmp_path / "set_value.py"
    script.write_text(
        "from appconfig_flags.model import Flag\n"
        "Flag(key='f', values={'ids': {'a', 'b'}})\n"
    )
    result = _mypy(script)
    assert result.returncode == 1
    assert 'Dict entry 0 has incompatible type "str": "set[str]"' in result.stdout, result.stdout
