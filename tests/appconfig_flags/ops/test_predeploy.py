"""appconfig-flags predeploy: a stack deploy never replaces an operator's change unknowingly (issue 31), on the fake.

The emulator shows the whole story with the real `cdk deploy` (tests/integration); here the cases it cannot
show deterministically: a revert by a user, a deployment in progress, a deleted version, the code that
already matches.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

from appconfig_flags import cli
from appconfig_flags.model.deployment import version_label as stack_version_label
from flags import CHECKOUT_FLAGS

from .fake_aws import Deployed, Run

LAYOUT = "new-checkout-layout"


def _changed_catalogue(folder: Path, *, description: str = "Offers Bitcoin, changed.") -> str:
    """The catalogue with one unrelated change: the Bitcoin flag's description (every environment's document)."""
    path = folder / "changed_catalogue.py"
    path.write_text(
        "from dataclasses import replace\n"
        "from flags.checkout import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS, NEW_CHECKOUT_LAYOUT\n"
        f"BITCOIN = replace(ALLOW_BITCOIN_AT_CHECKOUT, description={description!r})\n"
        "CHECKOUT_FLAGS = replace(CHECKOUT_FLAGS, flags=(BITCOIN, NEW_CHECKOUT_LAYOUT), experiments=())\n"
        "PROFILES = (CHECKOUT_FLAGS,)\n", encoding="utf-8")
    return str(path)


def _catalogue_serving(folder: Path, document: str) -> str:
    """A catalogue whose CheckoutFlags renders exactly ``document`` in every environment."""
    path = folder / "served_catalogue.py"
    path.write_text(
        "from appconfig_flags.model import Profile\n"
        f"CHECKOUT_FLAGS = Profile.from_document('CheckoutFlags', {document!r}, application='FlagsDemo', "
        "environments=('Beta', 'Production'))\n"
        "PROFILES = (CHECKOUT_FLAGS,)\n", encoding="utf-8")
    return str(path)


def _predeploy(deployed: Deployed, *extra: str, catalogue: str = "flags") -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["predeploy", "--catalogue", catalogue, "--endpoint-url", deployed.fake.endpoint_url, *extra],
                    stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def _switch_off_layout(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", LAYOUT, "--yes")
    assert run.code == 0, run.err


def test_unchanged_code_after_a_kill_switch_deploys_nothing_there_so_it_goes_on(deployed: Deployed) -> None:
    _switch_off_layout(deployed)
    run = _predeploy(deployed)
    assert run.code == 0, run.err
    assert "CheckoutFlags in Beta: unchanged: the code renders what the stack last deployed (deployment #1, version 1)" \
        in run.out
    assert run.out.endswith("The deploy may go on.\n")


def test_an_unrelated_change_after_a_kill_switch_is_refused_naming_it(deployed: Deployed, tmp_path: Path) -> None:
    _switch_off_layout(deployed)
    calls = len(deployed.fake.calls)
    run = _predeploy(deployed, catalogue=_changed_catalogue(tmp_path))
    assert run.code == 1
    [line] = run.err.splitlines()
    assert line.startswith("error: CheckoutFlags in Beta serves an operator's change that this deploy would replace: "
                           "version 3 (label 'flags-off new-checkout-layout', description 'appconfig-flags off: "
                           "new-checkout-layout switched off in Beta (copy of version 1); alarm monitors attached'), "
                           "deployed by deployment #2 at 2025-06-01 12:00 UTC. The code renders something else (")
    assert f"Beta/{LAYOUT}[compact-layout]: enabled false → true" in line
    assert "Beta/allow-bitcoin-at-checkout: description" in line
    assert line.endswith("Nothing was deployed: make the code match it (appconfig-flags diff shows your change), undo "
                         "it first (appconfig-flags revert --environment Beta), or replace it knowingly with "
                         "--overwrite Beta")
    assert "CheckoutFlags in Production: deploys: the deploy replaces the stack's own version 2" in run.out
    assert all(c.operation.startswith(("Get", "List")) for c in deployed.fake.calls[calls:])


def test_overwrite_for_that_environment_lets_the_deploy_replace_it(deployed: Deployed, tmp_path: Path) -> None:
    _switch_off_layout(deployed)
    run = _predeploy(deployed, "--overwrite", "Beta", catalogue=_changed_catalogue(tmp_path))
    assert run.code == 0, run.err
    assert ("CheckoutFlags in Beta: OVERWRITES: version 3 (label 'flags-off new-checkout-layout'" in run.out
            and "replacing it as told (--overwrite Beta)" in run.out)
    refused = _predeploy(deployed, "--overwrite", "Production", catalogue=_changed_catalogue(tmp_path))
    assert refused.code == 1, "told for another environment only"


def test_code_that_already_renders_the_served_change_goes_on(deployed: Deployed, tmp_path: Path) -> None:
    _switch_off_layout(deployed)
    app, _, profile = deployed.ids("Beta")
    served = deployed.fake.version_content(app, profile, 3).decode()
    run = _predeploy(deployed, "--environments", "Beta", catalogue=_catalogue_serving(tmp_path, served))
    assert run.code == 0, run.err
    assert "CheckoutFlags in Beta: deploys: version 3 (label 'flags-off new-checkout-layout'" in run.out
    assert "the code already renders what is served, so the deploy changes no flag there" in run.out
    assert "Production" not in run.out  # --environments Beta: a pipeline stage's check


def test_a_change_after_a_revert_by_a_user_is_refused_naming_the_revert(deployed: Deployed, tmp_path: Path) -> None:
    app, env, profile = deployed.ids("Production")
    content = CHECKOUT_FLAGS.render("Production").replace('"Offers Bitcoin', '"Earlier: offers Bitcoin')
    version = deployed.fake.add_version(app, profile, content, label=stack_version_label("Production", content))
    deployed.fake.add_deployment(app, env, profile, version, minutes_ago=60)
    assert deployed.emergency("revert", "--environment", "Production", "--yes").code == 0
    run = _predeploy(deployed, catalogue=_changed_catalogue(tmp_path))
    assert run.code == 1
    assert ("error: CheckoutFlags in Production serves an operator's change that this deploy would replace: "
            f"deployment #2 (version {version}) was reverted by a user at 2025-06-01 12:00 UTC, so Production serves "
            "version 2.") in run.err


def test_a_deployment_in_progress_is_refused_whatever_is_told(deployed: Deployed, tmp_path: Path) -> None:
    app, env, profile = deployed.ids("Beta")
    content = CHECKOUT_FLAGS.render("Beta")
    version = deployed.fake.add_version(app, profile, content, label="hand-made")
    deployed.fake.add_deployment(app, env, profile, version, strategy="AppConfig.Canary10Percent20Minutes",
                                 minutes_ago=4)
    run = _predeploy(deployed, "--overwrite", "Beta", catalogue=_changed_catalogue(tmp_path))
    assert run.code == 1
    assert run.err == (
        "error: CheckoutFlags in Beta: deployment #2 of CheckoutFlags (version 3) (label 'hand-made') is DEPLOYING "
        "(20% of targets); AppConfig runs one deployment at a time per environment, so the stack's deployment to Beta "
        "would fail (ConflictException) and CloudFormation would roll the whole update back. Nothing was deployed: "
        "wait until it ends (appconfig-flags status), or stop it (appconfig-flags revert --environment Beta), then "
        "deploy\n")


def test_the_stacks_own_version_replaced_by_a_change_goes_on_with_what_it_changes(
        deployed: Deployed, tmp_path: Path) -> None:
    run = _predeploy(deployed, catalogue=_changed_catalogue(tmp_path, description="New words."))
    assert run.code == 0, run.err
    assert "CheckoutFlags in Beta: deploys: the deploy replaces the stack's own version 1" in run.out
    assert '      Beta/allow-bitcoin-at-checkout: description "Offers Bitcoin' in run.out


def test_a_deleted_stack_version_is_still_the_stacks(deployed: Deployed, tmp_path: Path) -> None:
    app, _, profile = deployed.ids("Beta")
    deployed.fake.delete_version(app, profile, 1)
    run = _predeploy(deployed, catalogue=_changed_catalogue(tmp_path))
    assert run.code == 0, run.err
    assert "CheckoutFlags in Beta: deploys: the deploy replaces the stack's own version 1" in run.out


def test_nothing_deployed_yet_goes_on(deployed: Deployed, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.py"
    path.write_text("from dataclasses import replace\nfrom flags.checkout import CHECKOUT_FLAGS\n"
                    "PROFILES = (replace(CHECKOUT_FLAGS, application='NotYetDeployed'),)\n", encoding="utf-8")
    run = _predeploy(deployed, catalogue=str(path))
    assert run.code == 0, run.err
    assert "application NotYetDeployed does not exist in us-east-1 yet: the deploy creates it" in run.out


def test_the_served_document_is_compared_as_flags_not_as_text(deployed: Deployed, tmp_path: Path) -> None:
    _switch_off_layout(deployed)
    app, _, profile = deployed.ids("Beta")
    served = json.loads(deployed.fake.version_content(app, profile, 3))
    run = _predeploy(deployed, "--environments", "Beta",
                     catalogue=_catalogue_serving(tmp_path, json.dumps(served, indent=2, sort_keys=True)))
    assert run.code == 0, run.err
