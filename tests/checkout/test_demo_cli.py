"""``python -m checkout.demo``: arguments and the errors a user can make."""
from __future__ import annotations

import pytest

from checkout.demo.__main__ import main, parse_args, source_options


def test_defaults_are_the_watched_beta_catalogue_on_port_8000() -> None:
    args = parse_args([])
    assert (args.source, args.env, args.app, args.profile, args.port) == ("catalogue", "Beta", None,
                                                                          "CheckoutFlags", 8000)  # app: the catalogue's
    assert source_options(args) == {}


def test_catalogue_and_agent_file_options_reach_their_source() -> None:
    args = parse_args(["--catalogue-root", "/tmp/copy", "--catalogue", "myflags", "--poll-interval", "2"])
    assert source_options(args) == {"root": "/tmp/copy", "module": "myflags", "poll_interval": 2}
    args = parse_args(["--source", "agent-files", "--agent-dir", "/tmp/agent", "--catalogue", "ignored"])
    assert source_options(args) == {"directory": "/tmp/agent"}


def test_appconfig_options_reach_the_source() -> None:
    args = parse_args(["--source", "appconfig", "--poll-interval", "60", "--region", "eu-west-1",
                       "--endpoint-url", "http://127.0.0.1:1"])
    assert source_options(args) == {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:1", "poll_interval": 60}


def test_a_poll_interval_below_15_seconds_is_refused_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--source", "appconfig", "--poll-interval", "5"]) == 2
    assert "poll_interval must be a whole number of seconds from 15 to 86400 (got 5)" in capsys.readouterr().err


def test_an_unknown_environment_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--env", "Gamma"])
    assert "invalid choice: 'Gamma'" in capsys.readouterr().err
