"""The demo's tests share the client tests' guard: fake AWS credentials, never a real account."""
from tests.appconfig_flags.client.conftest import fake_aws

__all__ = ["fake_aws"]
