"""Fixtures of the ops CLI tests (defined in fake_aws.py): ``deployed``, a fake AppConfig seeded as `cdk deploy` leaves it."""
from .fake_aws import deployed

__all__ = ["deployed"]
