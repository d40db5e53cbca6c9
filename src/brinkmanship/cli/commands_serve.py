"""`brink serve`: the browser workbench and exploration browser (a Dash app on 127.0.0.1 by default)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.app import app, console, err_console, handle_errors
from brinkmanship.errors import InputError


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command("serve")
@handle_errors
def serve_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")] = "korea-2017",
    store: Annotated[Path | None, typer.Option("--store", help="Exploration store (.duckdb) to browse.")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8050,
    allow_remote: Annotated[bool, typer.Option("--allow-remote",
                                               help="Allow a --host reachable from other machines.")] = False,
) -> None:
    """Serve the strategy workbench (and, with --store, the exploration browser) in the browser."""
    if not 0 < port < 65536:
        raise InputError(f"port {port} is out of range", field="--port", fix="give a port in 1-65535")
    if not is_loopback(host):
        if not allow_remote:
            raise InputError(f"host {host} would let other machines reach the server", field="--host",
                             fix="keep the default 127.0.0.1, or add --allow-remote to expose it on purpose")
        err_console.print(f"[bold yellow]warning:[/] serving on {host}: anyone who can reach this address can "
                          "use the workbench (there is no login).", highlight=False)
    from brinkmanship.web.app import serve

    console.print(f"brink serve: http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    serve(scenario, store, host, port)
