"""`brink serve` refuses to expose itself by accident."""

from __future__ import annotations

from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.cli.commands_serve import is_loopback


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_a_remote_host_needs_the_explicit_flag() -> None:
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert res.exit_code == 2
    assert "--allow-remote" in res.output


def test_a_bad_port_is_an_input_error() -> None:
    res = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert res.exit_code == 2 and "out of range" in res.output
