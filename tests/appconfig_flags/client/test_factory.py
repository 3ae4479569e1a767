"""make_source: the profile names the application; nothing else does."""
from __future__ import annotations

import pytest

from appconfig_flags import Flag, Profile, make_source
from flags import CHECKOUT_FLAGS

NAMELESS = Profile("OrchardFlags", (Flag(key="ripe"),), environments=("Staging", "Live"))


@pytest.mark.parametrize("kind", ["agent", "agent-files"])
def test_a_source_reading_appconfig_takes_the_application_from_the_profile(kind: str) -> None:
    source = make_source(kind, profile=CHECKOUT_FLAGS, environment="Beta")
    assert "FlagsDemo" in source.name and "Beta" in source.name and "CheckoutFlags" in source.name


def test_the_appconfigdata_source_takes_the_application_from_the_profile() -> None:
    source = make_source("appconfig", profile=CHECKOUT_FLAGS, environment="Beta", region="us-east-1")
    assert source.name.startswith("appconfig:FlagsDemo/Beta/CheckoutFlags")


@pytest.mark.parametrize("kind", ["agent", "agent-files", "appconfig"])
def test_a_profile_naming_no_application_is_an_error_saying_what_is_missing(kind: str) -> None:
    with pytest.raises(ValueError, match=f"a '{kind}' source reads an AppConfig application, and profile "
                                         "'OrchardFlags' names none: add application="):
        make_source(kind, profile=NAMELESS, environment="Live")


def test_an_application_given_wins_and_local_sources_need_none() -> None:
    assert "Grove" in make_source("agent", profile=NAMELESS, environment="Live", application="Grove").name
    assert make_source("local", profile=NAMELESS, environment="Live") is not None


def test_an_unknown_kind_is_named() -> None:
    with pytest.raises(ValueError, match="unknown flag source 'ftp'"):
        make_source("ftp", profile=NAMELESS, environment="Live")
