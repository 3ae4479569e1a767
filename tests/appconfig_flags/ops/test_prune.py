"""appconfig-flags prune: old hosted versions go, never a served one, a revert's target or the newest N (issue 31)."""
from __future__ import annotations

import io

from appconfig_flags import cli
from appconfig_flags.model.deployment import version_label as stack_version_label
from flags import CHECKOUT_FLAGS

from .fake_aws import Deployed, Run


def _prune(deployed: Deployed, *extra: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["prune", "--catalogue", "flags", "--endpoint-url", deployed.fake.endpoint_url, *extra],
                      now=deployed.fake.now, stdin=io.StringIO(""), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def _history(deployed: Deployed) -> int:
    """Five replaced versions (3-7), then Production's deployment of version 8, complete: its revert serves 2."""
    app, env, profile = deployed.ids("Production")
    for discount in range(5):
        deployed.fake.add_version(app, profile, CHECKOUT_FLAGS.render("Beta").replace('"bitcoin-discount-percentage":5',
                                                                                      f'"bitcoin-discount-percentage":{discount}'))
    content = CHECKOUT_FLAGS.render("Production")
    version = deployed.fake.add_version(app, profile, content, label=stack_version_label("Production", content))
    deployed.fake.add_deployment(app, env, profile, version, minutes_ago=60)
    return version


def _stored(deployed: Deployed) -> list[int]:
    app, _, profile = deployed.ids("Beta")
    return sorted(deployed.fake.applications[app].profiles[profile].versions)


def test_prune_keeps_served_versions_the_revert_target_and_the_newest_n(deployed: Deployed) -> None:
    assert _history(deployed) == 8
    run = _prune(deployed, "--keep", "1", "--yes")
    assert run.code == 0, run.err
    assert "CheckoutFlags: delete 7, 6, 5, 4, 3" in run.out
    assert "  keep version 8: latest deployment to Production (#2, COMPLETE); served in Production; one of the newest 1" \
        in run.out
    assert "  keep version 2: a revert of Production's deployment #2 serves it" in run.out
    assert "  keep version 1: latest deployment to Beta (#1, COMPLETE); served in Beta" in run.out
    assert _stored(deployed) == [1, 2, 8]
    revert = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert revert.code == 0 and "is served version 2." in revert.out, "the revert still lands on a stored version"


def test_after_the_revert_window_the_version_before_is_no_longer_kept(deployed: Deployed) -> None:
    _history(deployed)
    deployed.fake.advance(hours=73)
    run = _prune(deployed, "--keep", "0", "--yes")
    assert run.code == 0, run.err
    assert _stored(deployed) == [1, 8]


def test_dry_run_and_no_answer_delete_nothing(deployed: Deployed) -> None:
    _history(deployed)
    dry = _prune(deployed, "--keep", "0", "--dry-run")
    assert dry.code == 0 and "Dry run: 5 version(s) would be deleted." in dry.out
    asked = _prune(deployed, "--keep", "0")
    assert asked.code == 1 and "nothing was changed" in asked.err
    assert _stored(deployed) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert deployed.fake.operations("DeleteHostedConfigurationVersion") == []


def test_all_deletes_every_version_before_cdk_destroy(deployed: Deployed) -> None:
    _history(deployed)
    run = _prune(deployed, "--all", "--yes")
    assert run.code == 0, run.err
    assert "the served ones included" in run.out and _stored(deployed) == []


def test_keep_must_not_be_negative(deployed: Deployed) -> None:
    run = _prune(deployed, "--keep", "-1", "--yes")
    assert (run.code, run.err) == (1, "error: --keep must be 0 or more (got -1)\n")
