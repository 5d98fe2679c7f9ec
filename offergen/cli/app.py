"""Command line: `offergen --help`. Heavy imports happen inside commands, not at import time."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from offergen.cli.campaign import campaign_app, worker
from offergen.cli.common import (
    fail,
    load_settings,
    open_ctx,
    problems,
    read_text,
    spinner,
    text_lines,
)
from offergen.cli.db import db_app
from offergen.cli.evals import evals_app
from offergen.cli.keys import keys_app
from offergen.cli.knowledge import index_app, kb_app, merchants, retrieve
from offergen.cli.llm import llm_app, llm_server_for
from offergen.cli.outcomes import outcomes_app
from offergen.cli.review import review_app
from offergen.errors import OffergenError, TermsRefusedError

# Models come from PyPI packages; nothing may reach for a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(help="offergen: guarded offer copy for digital payments.", no_args_is_help=True)
model_app = typer.Typer(help="Prepare and inspect model profiles (models/*.yaml).")
guard_app = typer.Typer(help="Run the guardrail policy packs (guardrails/*.yaml) over texts.")
prompt_app = typer.Typer(help="Inspect and render the prompt templates (prompts/*.j2).")
app.add_typer(model_app, name="model")
app.add_typer(kb_app, name="kb")
app.add_typer(guard_app, name="guard")
app.add_typer(prompt_app, name="prompt")
app.add_typer(index_app, name="index")
app.add_typer(llm_app, name="llm")
app.add_typer(keys_app, name="keys")
app.add_typer(review_app, name="review")
app.add_typer(evals_app, name="eval")
app.add_typer(campaign_app, name="campaign")
app.add_typer(db_app, name="db")
app.add_typer(outcomes_app, name="outcomes")
app.command()(worker)
app.command()(retrieve)
app.command()(merchants)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address [default: OFFERGEN_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: OFFERGEN_PORT or 8000]")] = None,
) -> None:
    """Serve the REST API (loads the model in the background; /readyz says when it is ready).

    SIGTERM (or Ctrl-C) stops accepting connections, gives the requests and campaign items in
    flight OFFERGEN_SHUTDOWN_GRACE_S to finish, hands back the campaign leases still held, stops
    the vLLM server it started and exits 0."""
    import math
    import signal

    import uvicorn

    from offergen.api.app import create_app
    from offergen.compute_threads import api_threads, limit_compute_threads
    from offergen.log_format import configure_logging

    settings = load_settings(host=host, port=port)
    configure_logging(settings.log_level)  # JSON lines with request ids; no raw paths or queries
    # uvicorn runs the graceful shutdown, then raises the signal again under the handler that
    # was there before it: this one makes that (and a SIGTERM before uvicorn is up) exit 0.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        threads = api_threads(settings)
        if threads is not None:
            limit_compute_threads(threads)  # before torch and FAISS load
        api = create_app(open_ctx(settings))
    except OffergenError as exc:
        fail(str(exc))
    uvicorn.run(
        api,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),
    )


@app.command()
def generate(
    request: Annotated[Path, typer.Option(help="GenerateRequest as a JSON file ('-' = stdin)")],
    backend: Annotated[
        str | None, typer.Option(help="generation backend [default: the profile's]")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="model profile from models/")] = None,
) -> None:
    """Generate guarded copy variants for one request; prints the GenerateResponse JSON."""
    import uuid

    from offergen.pipeline import RequestMeta
    from offergen.schemas import GenerateRequest

    raw = sys.stdin.read() if str(request) == "-" else read_text(request)
    try:
        body = GenerateRequest.model_validate_json(raw)
    except ValidationError as exc:
        fail(f"{request}: invalid request: {problems(exc)}")
    ctx = open_ctx(load_settings(model_profile=profile), backend=backend)
    try:
        with llm_server_for(ctx):
            with spinner("loading model and index"):
                ctx.pipeline.warm_up()
            with spinner(f"generating {body.variants} variant(s)"):
                response = ctx.pipeline.generate(body, RequestMeta(uuid.uuid4().hex))
    except TermsRefusedError as exc:
        for f in exc.findings:
            limit = "" if f.limit is None else f" (limit {f.limit})"
            typer.secho(f"{f.field}: {f.rule_id}: {f.message}{limit}", err=True)
        fail(str(exc))
    except OffergenError as exc:
        fail(str(exc))
    typer.echo(response.model_dump_json(indent=2))


@prompt_app.command("list")
def prompt_list() -> None:
    """List the templates and their channel variants, each with its version (hash of the
    template, what it extends and the sidecars), style and description."""
    from offergen.prompting.jinja_renderer import JinjaPromptRenderer

    renderer = JinjaPromptRenderer(load_settings().prompts_dir)
    try:
        for name in renderer.names():
            for channel in [None, *renderer.variants(name)]:
                t = renderer.load(name, channel)
                label = name if channel is None else f"  .{channel.value}"
                typer.echo(
                    f"{label:<20} {t.version}  {t.sidecar.style:<10} {t.sidecar.description}"
                )
    except OffergenError as exc:
        fail(str(exc))


@prompt_app.command("render")
def prompt_render(
    request: Annotated[Path, typer.Option(help="GenerateRequest as a JSON file")],
    template: Annotated[str | None, typer.Option(help="template from prompts/")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Print the exact prompt a request gets (no model is loaded), its version and sources."""
    from offergen.schemas import GenerateRequest

    try:
        body = GenerateRequest.model_validate_json(read_text(request))
    except ValidationError as exc:
        fail(f"{request}: invalid request: {problems(exc)}")
    if template is not None:
        body = body.model_copy(update={"template": template})
    pipeline = open_ctx().pipeline
    try:
        pipeline.warm_up(model=False)
        grounded = pipeline.render(body)
    except OffergenError as exc:
        fail(str(exc))
    p = grounded.prompt
    if format == "json":
        out = {
            "template": p.template,
            "version": p.version,
            "stop": p.stop,
            "max_new_tokens": p.max_new_tokens,
            "sources": [s.model_dump(mode="json") for s in grounded.sources],
            "variables": json.loads(json.dumps(grounded.variables, default=_plain)),
            "text": p.text,
        }
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        typer.echo(
            f"# template {p.template} version {p.version}; stop {list(p.stop)!r}; "
            f"max_new_tokens {p.max_new_tokens}"
        )
        typer.echo(f"# sources: {', '.join(s.id for s in grounded.sources)}")
        typer.echo(p.text)


def _plain(value: Any) -> Any:
    """JSON for the pydantic models among template variables."""
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else str(value)


@model_app.command("prepare")
def model_prepare(
    profile: Annotated[str | None, typer.Option(help="model profile from models/")] = None,
) -> None:
    """Turn the profile's shipped weights into a checkpoint under the data dir (once)."""
    from offergen.generation.prepare import is_prepared, prepare
    from offergen.generation.profiles import load_profile

    settings = load_settings(model_profile=profile)
    try:
        prof = load_profile(settings.models_dir, settings.model_profile)
        if is_prepared(prof, settings.checkpoints_dir):
            typer.echo(f"model '{prof.name}' already prepared")
            return
        with spinner(f"converting {prof.model_id} into a checkpoint (about a minute)"):
            result = prepare(prof, settings.checkpoints_dir)
    except OffergenError as exc:
        fail(str(exc))
    typer.echo(f"model '{prof.name}' prepared at {result.checkpoint_dir}")


@model_app.command("list")
def model_list() -> None:
    """List the model profiles."""
    from offergen.generation.profiles import list_profiles, load_profile

    settings = load_settings()
    for name in list_profiles(settings.models_dir):
        p = load_profile(settings.models_dir, name)
        typer.echo(f"{p.name:<20} {p.backend:<14} {p.model_id}")


@guard_app.command("check")
def guard_check(
    input: Annotated[
        Path | None, typer.Option(help="JSONL, one {text, channel, jurisdiction, offer} a line")
    ] = None,
    text: Annotated[str | None, typer.Option(help="one text to guard (instead of --input)")] = None,
    offer: Annotated[Path | None, typer.Option(help="OfferTerms JSON file, with --text")] = None,
    channel: Annotated[str, typer.Option(help="sms, push, email or in_app, with --text")] = "sms",
    jurisdiction: Annotated[str, typer.Option(help="US or EU, with --text")] = "US",
    policy: Annotated[
        str | None, typer.Option(help="policy pack [default: <jurisdiction>-default]")
    ] = None,
) -> None:
    """Guard texts; writes one {released, text, findings, policy} JSON object per case, in order."""
    from offergen.guardrails.packs import Packs
    from offergen.guardrails.verdict import check_copy
    from offergen.schemas import GuardCase

    settings = load_settings()
    # Validate every case before guarding any, so a bad file produces no partial output.
    cases: list[GuardCase] = []
    if (input is None) == (text is None):
        fail("give either --input FILE or --text TEXT (with --offer FILE)")
    if input is not None:
        for n, line in text_lines(input):
            try:
                cases.append(GuardCase.model_validate_json(line))
            except ValidationError as exc:
                fail(f"{input}:{n}: {problems(exc)}")
    else:
        if offer is None:
            fail("--text needs --offer FILE (the OfferTerms the text must agree with)")
        try:
            terms = json.loads(read_text(offer))
            cases.append(
                GuardCase.model_validate(
                    {"text": text, "channel": channel, "jurisdiction": jurisdiction, "offer": terms}
                )
            )
        except json.JSONDecodeError as exc:
            fail(f"{offer}: not valid JSON: {exc}")
        except ValidationError as exc:
            fail(f"invalid case: {problems(exc)}")
    packs = Packs(settings.guardrails_dir)
    try:
        for case in cases:
            typer.echo(check_copy(packs, case, policy).model_dump_json())
    except OffergenError as exc:
        fail(str(exc))
