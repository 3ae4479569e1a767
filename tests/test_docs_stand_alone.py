"""The docs and the code cite public sources only: no path outside the repository, no private notes."""
from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

#: What a citation of something users do not have looks like.
OUTSIDE = re.compile(r"/work/|\.\./shared|shared/specs|(runtime|featureflags|variant-rules) spec §|\bspec §")


def _tracked_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return [p for p in listed if not p.startswith("tests/") and p.endswith((".py", ".md", ".toml", ".json", ".yaml",
                                                                             ".html", ".txt", "Makefile", ".cfg"))]


def test_no_doc_or_module_cites_files_outside_the_repository() -> None:
    found = []
    for path in _tracked_text_files():
        file = ROOT / path
        if not file.is_file():
            continue
        for number, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path}:{number}: {line.strip()}")
    assert found == []
