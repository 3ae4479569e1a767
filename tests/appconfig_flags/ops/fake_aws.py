"""Fixtures for the ops CLIs: fake credentials (never a real account) and a fake AppConfig seeded as `cdk deploy` leaves it."""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appconfig_flags import cli
from appconfig_flags.ops.control_plane import ControlPlane
from flags import PROFILES
from tests.fakes.appconfig_control_plane import FakeAppConfig

APP = "FlagsDemo"
ENVIRONMENTS = ("Beta", "Production")
FLAG = "allow-bitcoin-at-checkout"


def fake_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "no-aws-config"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APPCONFIG"):
        monkeypatch.delenv(name, raising=False)


class FakeCloudWatchAndSts:
    """What the ops commands ask CloudWatch and STS, answered from the fake's alarm states (CloudWatch speaks
    CBOR, which the fake's REST-JSON server does not)."""

    def __init__(self, fake: FakeAppConfig) -> None:
        self.fake = fake
        self.describe_alarms_calls: list[list[str]] = []

    def describe_alarms(self, *, AlarmNames: list[str], AlarmTypes: list[str]) -> dict[str, object]:
        self.describe_alarms_calls.append(list(AlarmNames))
        found = [{"AlarmName": arn.split(":alarm:")[1], "AlarmArn": arn, "StateValue": state, "StateReason": "test"}
                 for arn, state in self.fake.alarm_states.items() if arn.split(":alarm:")[1] in AlarmNames]
        return {"MetricAlarms": found, "CompositeAlarms": []}

    def get_caller_identity(self) -> dict[str, str]:
        return {"Account": "111111111111", "Arn": "arn:aws:iam::111111111111:user/operator"}


@dataclass
class Run:
    code: int
    out: str
    err: str


class Deployed:
    """The fake, seeded as the stack deploys the catalogue, and the CLIs run against it in-process."""

    def __init__(self, fake: FakeAppConfig) -> None:
        self.fake = fake
        self.cloudwatch = FakeCloudWatchAndSts(fake)
        self.app_id = fake.seed_like_stack(APP, ENVIRONMENTS, lambda env: [(p.name, p.render(env)) for p in PROFILES])

    def ids(self, environment: str) -> tuple[str, str, str]:
        app, env, profile = self.fake.find(APP, environment, "CheckoutFlags")
        return app, env, profile

    def alarm_of(self, environment: str) -> str:
        """The ARN of ``environment``'s monitor alarm."""
        app, env, _ = self.ids(environment)
        return self.fake.applications[app].environments[env].monitors[0]["AlarmArn"]

    def args(self, command: str, *extra: str) -> list[str]:
        """``appconfig-flags COMMAND`` against the fake: the application and environments come from the catalogue."""
        return [command, "--catalogue", "flags", "--endpoint-url", self.fake.endpoint_url, *extra]

    def status(self, *extra: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(self.args("status", *extra), now=self.fake.now, stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())

    def emergency(self, command: str, *extra: str, answer: str = "") -> Run:
        out, err = io.StringIO(), io.StringIO()
        # Each wait between two checks of a deployment is one minute of the fake's clock.
        code = cli.main(self.args(command, *extra), now=self.fake.now, stdin=io.StringIO(answer), stdout=out,
                        stderr=err, sleep=lambda seconds: self.fake.advance(minutes=1))
        return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Deployed]:
    fake_credentials(monkeypatch, tmp_path)
    with FakeAppConfig(page_size=1) as fake:  # one item per page: every lookup must follow NextToken
        deployed = Deployed(fake)
        monkeypatch.setattr(ControlPlane, "other", lambda plane, service, region=None: deployed.cloudwatch)
        yield deployed



def section(output: str, profile_in_environment: str) -> str:
    """The status block of e.g. ``CheckoutFlags in Production``."""
    blocks = output.split("\n\n")
    return next(b for b in blocks if b.startswith(profile_in_environment + "\n"))


def catalogue_file(folder: Path, **options: object) -> str:
    """A catalogue file holding the CheckoutFlags flags in a Profile with ``options`` (application, environments)."""
    path = folder / "other_catalogue.py"
    path.write_text("from appconfig_flags import Profile\n"
                    "from flags.checkout import ALLOW_BITCOIN_AT_CHECKOUT, NEW_CHECKOUT_LAYOUT\n"
                    f"CHECKOUT_FLAGS = Profile('CheckoutFlags', (ALLOW_BITCOIN_AT_CHECKOUT, NEW_CHECKOUT_LAYOUT), "
                    f"**{options!r})\n", encoding="utf-8")
    return str(path)
