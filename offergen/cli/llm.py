"""`offergen llm serve`: start the vLLM server of a model profile and block until it exits."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from offergen.cli.common import fail, load_settings, spinner
from offergen.errors import OffergenError

if TYPE_CHECKING:
    from offergen.app_context import AppContext

llm_app = typer.Typer(help="Serve the language model with vLLM (models/*.yaml with backend: vllm).")


@llm_app.command("serve")
def llm_serve(
    profile: Annotated[str, typer.Option(help="a vllm profile from models/")] = "embedded-vllm",
) -> None:
    """Start vLLM's OpenAI-compatible server for the profile; Ctrl-C stops it."""
    from offergen.generation.profiles import load_profile
    from offergen.generation.vllm_server import server_command

    settings = load_settings()
    try:
        argv, env = server_command(
            load_profile(settings.models_dir, profile),
            settings.checkpoints_dir,
            settings.cache_dir / "vllm",
        )
    except OffergenError as exc:
        fail(str(exc))
    typer.secho(f"starting vLLM: {' '.join(argv)}", err=True)
    proc = subprocess.Popen(argv, env=env)
    # Ctrl-C reaches the child too (same process group); SIGTERM is passed on explicitly.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        code = proc.wait()
    raise typer.Exit(code)


@contextmanager
def llm_server_for(ctx: AppContext) -> Iterator[None]:
    """For one CLI command on a vllm backend: use the server already serving the profile's URL,
    or (`OFFERGEN_LLM_SERVER=spawn`) start one for the command and stop it afterwards."""
    from offergen.generation.vllm_server import llm_server

    # The server's own output goes to a file: stdout carries this command's JSON.
    log_path = ctx.settings.data_dir / "vllm-cli.log"
    with llm_server(ctx.llm_server(log_path)) as server:
        if server is not None:
            if server.process is not None:
                typer.secho(
                    "no vLLM server is running: starting one for this command "
                    f"(`offergen llm serve` keeps one running); its log: {log_path}",
                    err=True,
                )
            with spinner("waiting for the vLLM server"):
                server.wait()
        yield
