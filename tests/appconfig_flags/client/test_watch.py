"""Watched sources: the catalogue's files and Agent local-development files, read again after each edit."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from appconfig_flags.client import (
    UNCHANGED,
    CatalogueFileSource,
    ErrorKind,
    FlagsClient,
    Snapshot,
    SourceError,
    WatchedFileSource,
    make_source,
)
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

from .conftest import FakeClock

ROOT = Path(__file__).resolve().parents[3]
#: The copy's package name differs from the repository's ``flags``, to tell whether it was imported here.
MODULE = "liveflags"


def touch_later(path: Path) -> None:
    """Move the file's modification time on, as a save a second later would (coarse file-system clocks)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    touch_later(path)


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "flags", tmp_path / MODULE, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def discount(snapshot: object) -> object:
    assert isinstance(snapshot, Snapshot)
    return snapshot.flags[ALLOW_BITCOIN_AT_CHECKOUT.key].values["bitcoin-discount-percentage"]


def test_the_catalogue_is_rendered_again_only_after_an_edit(catalogue: Path) -> None:
    source = CatalogueFileSource("CheckoutFlags", "Beta", root=catalogue, module=MODULE)
    assert discount(source.fetch()) == 5
    assert source.last_reload is not None and source.last_reload.origin == f"{MODULE}/checkout.py"
    assert source.fetch() is UNCHANGED
    edit(catalogue / MODULE / "checkout.py", '"bitcoin-discount-percentage": 5,', '"bitcoin-discount-percentage": 10,')
    assert discount(source.fetch()) == 10
    assert MODULE not in sys.modules  # rendered in a child process, never imported here


def test_a_broken_edit_is_reported_once_and_the_next_good_edit_loads(catalogue: Path) -> None:
    source = CatalogueFileSource("CheckoutFlags", "Beta", root=catalogue, module=MODULE)
    source.fetch()
    checkout = catalogue / MODULE / "checkout.py"
    edit(checkout, '"bitcoin-discount-percentage": 5,', '"bitcoin-discount-percentage": 500,')
    with pytest.raises(SourceError) as raised:
        source.fetch()
    assert raised.value.kind is ErrorKind.CONTENT and raised.value.code == "CatalogueNotLoaded"
    assert "does not load: invalid flags: " in raised.value.message and "(got 500)" in raised.value.message
    assert source.problem == raised.value.message
    assert source.fetch() is UNCHANGED and source.problem is not None  # not re-rendered, still reported
    edit(checkout, '"bitcoin-discount-percentage": 500,', '"bitcoin-discount-percentage": 7,')
    assert discount(source.fetch()) == 7 and source.problem is None


def test_the_client_keeps_the_last_good_values_through_a_broken_edit(catalogue: Path) -> None:
    clock = FakeClock()
    client = FlagsClient(CatalogueFileSource("CheckoutFlags", "Beta", root=catalogue, module=MODULE),
                         catalogue=CHECKOUT_FLAGS, background=False, clock=clock)
    client.start()
    edit(catalogue / MODULE / "checkout.py", "ENVIRONMENTS = (", "ENVIRONMENTS = ((")
    clock.advance(1.0)  # one poll interval: the edit is seen at the next poll
    client.poll()
    assert client.status().last_error_code == "CatalogueNotLoaded"
    assert "SyntaxError" in str(client.status().last_error)
    assert client.value(ALLOW_BITCOIN_AT_CHECKOUT, "bitcoin-discount-percentage") == 5


def test_a_profile_or_environment_the_catalogue_lacks_is_named(catalogue: Path) -> None:
    source = CatalogueFileSource("CheckoutFlags", "Gamma", root=catalogue, module=MODULE)
    with pytest.raises(SourceError, match="has no profile 'CheckoutFlags' with environment 'Gamma'"):
        source.fetch()


def test_a_catalogue_module_missing_from_the_root_is_an_error_not_another_catalogue(tmp_path: Path) -> None:
    source = CatalogueFileSource("CheckoutFlags", "Beta", root=tmp_path, module="flags")
    with pytest.raises(SourceError, match=r"the module 'flags' imported is .*, not one in "):
        source.fetch()


def test_agent_local_development_files_are_read_again_after_each_edit(tmp_path: Path) -> None:
    source = WatchedFileSource.agent_local_file(tmp_path, application="FlagsDemo", environment="Beta",
                                                profile="CheckoutFlags")
    path = tmp_path / "FlagsDemo:Beta:CheckoutFlags.json"
    with pytest.raises(SourceError, match="FileNotReadable"):
        source.fetch()
    path.write_text(json.dumps({"f": {"enabled": True, "n": 1}}))
    touch_later(path)
    snapshot = source.fetch()
    assert isinstance(snapshot, Snapshot) and snapshot.flags["f"].values["n"] == 1
    assert source.fetch() is UNCHANGED
    path.write_text('{"f": {"enabled": tru')
    touch_later(path)
    with pytest.raises(SourceError) as raised:
        source.fetch()
    assert raised.value.code == "MalformedJSON" and raised.value.kind is ErrorKind.CONTENT
    path.write_text(json.dumps({"f": {"enabled": "yes"}, "g": {"enabled": True}}))
    touch_later(path)
    snapshot = source.fetch()  # one bad flag: the file's other flags are read, the bad one is named
    assert isinstance(snapshot, Snapshot) and set(snapshot.flags) == {"g"}
    assert "f/enabled: must be true or false" in snapshot.unreadable["f"]


def test_make_source_knows_the_watched_kinds_and_the_poll_interval_is_checked(tmp_path: Path) -> None:
    watched = make_source("catalogue", profile=CHECKOUT_FLAGS, environment="Beta", root=tmp_path, poll_interval=2)
    assert isinstance(watched, CatalogueFileSource) and watched.poll_interval == 2.0
    files = make_source("agent-files", profile=CHECKOUT_FLAGS, environment="Production", directory=tmp_path)
    assert isinstance(files, WatchedFileSource) and files.path == tmp_path / "FlagsDemo:Production:CheckoutFlags.json"
    with pytest.raises(ValueError, match="poll_interval must be a positive number of seconds"):
        CatalogueFileSource("CheckoutFlags", "Beta", poll_interval=0)
