"""The short-term flag report, run on a tiny catalogue in a temporary code base."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from appconfig_flags import cli

ROOT = Path(__file__).resolve().parents[2]

CATALOGUE = textwrap.dedent('''
    from appconfig_flags.model import Flag, Profile, ShortTerm

    PROFILES = (
        Profile("Shop", (
            Flag(key="old-banner", short_term=ShortTerm(remove_by="2026-01-31")),
            Flag(key="new-cart", short_term=ShortTerm(remove_by="2026-12-31")),
            Flag(key="dark-mode"),
        )),
        Profile("Ops", (Flag(key="kill-switch", short_term=ShortTerm()),)),
    )
''')


@pytest.fixture()
def code_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A code base with a catalogue module, code, tests, and directories the report must skip."""
    files = {
        "tiny_catalogue.py": CATALOGUE,
        "app/banner.py": 'if flags.enabled("old-banner"):\n    show()\n# old-banner-v2 is another flag\n',
        "app/cart.py": 'CART = "new-cart"\n',
        "tests/test_banner.py": 'def test_banner():\n    assert "old-banner"\n',
        ".venv/lib/site.py": '"old-banner"\n',
        "node_modules/x/index.js": '"old-banner"\n',
        "cdk.out/template.json": '"old-banner"\n',
        "app/logo.png": '\0"old-banner"',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("tiny_catalogue", None)


def test_the_report_lists_each_short_term_flag_its_date_and_where_its_key_is_used(
        code_base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "tiny_catalogue", "--today", "2026-11-25"]) == 0
    assert capsys.readouterr().out == textwrap.dedent('''\
        3 short-term flag(s), 1 overdue (today is 2026-11-25):

        Shop / old-banner: remove by 2026-01-31: OVERDUE by 298 day(s)
          app/banner.py:1
          tests/test_banner.py:2 [test]
          tiny_catalogue.py:6

        Shop / new-cart: remove by 2026-12-31 (in 36 day(s))
          app/cart.py:1
          tiny_catalogue.py:7

        Ops / kill-switch: no remove-by date
          tiny_catalogue.py:10
    ''')


@pytest.mark.parametrize(("today", "code"), [("2026-01-31", 0), ("2026-02-01", 1)])
def test_fail_overdue_exits_1_only_after_the_remove_by_date(code_base: Path, today: str, code: int,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "tiny_catalogue", "--today", today, "--fail-overdue"]) == code
    assert cli.main(["report", "tiny_catalogue", "--today", today]) == 0


def test_a_catalogue_without_profiles_is_a_usage_error(code_base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code_base / "not_a_catalogue.py").write_text("X = 1\n")
    assert cli.main(["report", "not_a_catalogue"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the catalogue module 'not_a_catalogue' (") and "holds no Profile and no PROFILES" in err


def test_no_short_term_flags_is_said_plainly(code_base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code_base / "empty_catalogue.py").write_text("PROFILES = ()\n")
    assert cli.main(["report", "empty_catalogue", "--today", "2026-11-25"]) == 0
    assert capsys.readouterr().out == "No short-term flags (today is 2026-11-25).\n"
    sys.modules.pop("empty_catalogue", None)


def test_it_runs_on_the_catalogue_pyproject_names() -> None:
    result = subprocess.run([sys.executable, "-m", "appconfig_flags", "report", "--today", "2026-11-25"],
                            check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "CheckoutFlags / allow-bitcoin-at-checkout: remove by 2027-06-30 (in 217 day(s))" in result.stdout
    assert "  flags/checkout.py:" in result.stdout


def test_code_that_reads_a_flag_through_its_python_name_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "named_catalogue.py").write_text(textwrap.dedent('''
        from appconfig_flags.model import Flag, Profile, ShortTerm

        NEW_CART = Flag(key="new-cart", short_term=ShortTerm(remove_by="2026-12-31"))
        PROFILES = (Profile("Shop", (NEW_CART,)),)
    '''))
    (tmp_path / "cart.py").write_text("from named_catalogue import NEW_CART\n\nif client.enabled(NEW_CART):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert cli.main(["report", "named_catalogue", "--today", "2026-11-25"]) == 0
    finally:
        sys.modules.pop("named_catalogue", None)
    out = capsys.readouterr().out
    assert "  cart.py:1\n  cart.py:3\n" in out
    assert "  named_catalogue.py:4\n" in out  # NEW_CART = Flag(key="new-cart", ...): one place, not two
