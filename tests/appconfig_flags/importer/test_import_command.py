"""`appconfig-flags import` from files and from a deployed profile (the botocore-model fake), end to end."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appconfig_flags import cli
from appconfig_flags.importer import import_documents
from appconfig_flags.model import Profile
from flags import CHECKOUT_FLAGS
from tests.appconfig_flags.ops.fake_aws import fake_credentials
from tests.fakes.appconfig_control_plane import FakeAppConfig

ENVIRONMENTS = ("Beta", "Production")


def load(path: Path) -> Profile:
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - the module under test
    (profile,) = namespace["PROFILES"]
    assert isinstance(profile, Profile)
    return profile


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    fake_credentials(monkeypatch, tmp_path)
    with FakeAppConfig() as running:
        yield running


def test_import_from_document_files_writes_the_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = []
    for env in ENVIRONMENTS:
        (tmp_path / f"{env}.json").write_text(CHECKOUT_FLAGS.render(env))
        args += ["--document", f"{env}={tmp_path / f'{env}.json'}"]
    out = tmp_path / "checkout_flags.py"
    assert cli.main(["import", "--profile", "CheckoutFlags", *args, "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    profile = load(out)
    assert [profile.render(env) for env in ENVIRONMENTS] == [CHECKOUT_FLAGS.render(env) for env in ENVIRONMENTS]
    # An existing module is replaced only when asked.
    assert cli.main(["import", "--profile", "CheckoutFlags", *args, "--out", str(out)]) == 1
    assert "pass --force" in capsys.readouterr().err
    assert cli.main(["import", "--profile", "CheckoutFlags", *args, "--out", str(out), "--force"]) == 0


def test_import_from_a_deployed_profile_reads_the_version_each_environment_serves(
        fake: FakeAppConfig, capsys: pytest.CaptureFixture[str]) -> None:
    fake.seed_like_stack("FlagsDemo", ENVIRONMENTS, lambda env: [("CheckoutFlags", CHECKOUT_FLAGS.render(env))])
    app, beta, profile = fake.find("FlagsDemo", "Beta", "CheckoutFlags")
    # A newer version whose deployment is still in progress is not what Beta serves.
    newer = fake.add_version(app, profile, CHECKOUT_FLAGS.render("Production"))
    fake.add_deployment(app, beta, profile, newer, strategy="AppConfig.Canary10Percent20Minutes")
    assert cli.main(["import", "--profile", "CheckoutFlags", "--application", "FlagsDemo",
                     "--endpoint-url", fake.endpoint_url]) == 0
    text = capsys.readouterr().out
    assert text == import_documents("CheckoutFlags", {env: CHECKOUT_FLAGS.render(env) for env in ENVIRONMENTS},
                                    source="AWS AppConfig (application FlagsDemo)", application="FlagsDemo")
    assert "\nAPPLICATION = \"FlagsDemo\"\n" in text and "application=APPLICATION" in text
    called = {c.operation for c in fake.calls}
    assert called <= {"ListApplications", "ListConfigurationProfiles", "ListEnvironments", "ListDeployments",
                      "GetHostedConfigurationVersion"}  # read-only


def test_import_of_a_named_version_gives_one_document(fake: FakeAppConfig, capsys: pytest.CaptureFixture[str]) -> None:
    fake.seed_like_stack("FlagsDemo", ENVIRONMENTS, lambda env: [("CheckoutFlags", CHECKOUT_FLAGS.render(env))])
    assert cli.main(["import", "--profile", "CheckoutFlags", "--application", "FlagsDemo", "--version", "2",
                     "--endpoint-url", fake.endpoint_url]) == 0
    text = capsys.readouterr().out
    assert "ENVIRONMENTS" not in text
    namespace: dict[str, Any] = {}
    exec(text, namespace)  # noqa: S102
    assert json.loads(namespace["PROFILES"][0].render()) == json.loads(CHECKOUT_FLAGS.render("Production"))


def test_what_cannot_be_read_is_one_error_line(fake: FakeAppConfig, capsys: pytest.CaptureFixture[str]) -> None:
    fake.seed_like_stack("FlagsDemo", ENVIRONMENTS, lambda env: [("CheckoutFlags", CHECKOUT_FLAGS.render(env))])
    assert cli.main(["import", "--profile", "Nope", "--application", "FlagsDemo",
                     "--endpoint-url", fake.endpoint_url]) == 1
    err = capsys.readouterr().err
    assert err == "error: no configuration profile of FlagsDemo named 'Nope'; there are ['CheckoutFlags']\n"
    assert cli.main(["import", "--profile", "CheckoutFlags", "--application", "FlagsDemo", "--environments", "Gamma",
                     "--endpoint-url", fake.endpoint_url]) == 1
    assert "FlagsDemo has no environment 'Gamma'" in capsys.readouterr().err


def test_documents_a_profile_cannot_express_fail_with_each_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"version": "1", "flags": {"f": {"name": "A"}}}))
    (tmp_path / "b.json").write_text(json.dumps({"version": "1", "flags": {"f": {"name": "B"}}}))
    assert cli.main(["import", "--profile", "P", "--document", f"Beta={tmp_path / 'a.json'}",
                     "--document", f"Production={tmp_path / 'b.json'}"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: cannot import P: 1 problem(s).",
        ("  - P@Production/f/name: [import-definition-differs] the flag is defined differently in Beta and Production: "
         "a profile has one definition per flag (got 'B')"),
    ]
