"""The demo's tests share the client tests' guard (fake AWS credentials, never a real account), and
serve the checkout catalogue through the testing toolkit's fixtures (appconfig_flags.testing).
The page tests share one headless Chromium (tests/checkout/chromium.py), on one test worker
(tests/conftest.py groups them)."""
from collections.abc import Iterator

import pytest

from appconfig_flags.model import Profile
from flags import CHECKOUT_FLAGS
from tests.appconfig_flags.client.conftest import fake_aws

from .chromium import CHROMIUM, NO_CHROMIUM, Chromium

__all__ = ["fake_aws"]


@pytest.fixture
def flags_profile() -> Profile:
    """The profile served_flags serves: the checkout catalogue."""
    return CHECKOUT_FLAGS


@pytest.fixture
def flags_environment() -> str:
    """Production: the Bitcoin flag is off there, so each test turns on what it needs."""
    return "Production"


@pytest.fixture(scope="package")  # closed once the page tests are done: an idle Chromium still uses the CPU
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    browser = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium") / "profile")
    try:
        yield browser
    finally:
        browser.close()
