"""`offergen llm serve`: start the vLLM server of a model profile and block until it exits."""

from __future__ import annotations

import signal
import subprocess
from typing import Annotated

import typer

from offergen.cli.common import fail, load_settings
from offergen.errors import OffergenError

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
