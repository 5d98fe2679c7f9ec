"""`offergen campaign ...` and `offergen worker`: submit batches, follow them, read their
results, and run them here (a local worker pool) or on a Ray cluster."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from offergen.cli.common import fail, load_settings, open_ctx, problems, spinner, text_lines

if TYPE_CHECKING:
    from offergen.campaigns.config import WorkerConfig
    from offergen.campaigns.service import Campaigns
    from offergen.campaigns.worker import WorkerStats
    from offergen.config import Settings

campaign_app = typer.Typer(
    help="Campaigns: batches of generate requests, run durably (resumed after a crash).",
    no_args_is_help=True,
)

CampaignId = Annotated[str, typer.Argument(help="campaign id (from `offergen campaign submit`)")]
Concurrency = Annotated[
    int, typer.Option(min=1, max=256, help="items generated at once per worker")
]
LeaseS = Annotated[
    float, typer.Option(min=1, help="seconds before a silent worker's items are claimed again")
]
PollS = Annotated[float, typer.Option(min=0.05, help="seconds between claims when idle")]
MaxAttempts = Annotated[int, typer.Option(min=1, max=10, help="tries per item")]


def _config(concurrency: int, lease_s: float, poll_s: float, max_attempts: int) -> WorkerConfig:
    from offergen.campaigns.config import WorkerConfig

    try:
        return WorkerConfig(
            concurrency=concurrency, lease_s=lease_s, poll_s=poll_s, max_attempts=max_attempts
        )
    except ValidationError as exc:
        fail(f"invalid worker options: {problems(exc)}")


def _campaigns(settings: Settings | None = None) -> Campaigns:
    """Campaigns in the configured database; nothing heavy is loaded."""
    return open_ctx(settings).campaigns


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        fail(f"--format must be {' or '.join(allowed)}, not {value!r}")
    return value


@campaign_app.command("submit")
def submit(
    file: Annotated[Path, typer.Option(help="JSONL: one GenerateRequest a line")],
    tenant: Annotated[
        str | None, typer.Option(help="the tenant the campaign belongs to [default: none]")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Store a campaign (nothing is stored if any line is bad; every bad line is listed)."""
    from offergen.campaigns.schemas import CampaignSubmit
    from offergen.errors import InvalidInputError, OffergenError

    _format(format, ("text", "json"))
    lines = text_lines(file)
    items: list[Any] = []
    for n, line in lines:
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            fail(f"{file}:{n}: not JSON ({exc.msg})")
    try:
        body = CampaignSubmit(items=items)
    except ValidationError as exc:
        fail(f"{file}: {problems(exc)}")
    campaigns = _campaigns()
    try:
        created = campaigns.submit(body, tenant)
    except InvalidInputError as exc:
        for field, reason in exc.fields:
            index = field.split(".")[1]
            line = str(lines[int(index)][0]) if index.isdigit() else "?"
            typer.secho(f"{file}:{line}: {field}: {reason}", err=True)
        fail(str(exc))
    except OffergenError as exc:
        fail(str(exc))
    if format == "json":
        typer.echo(created.model_dump_json())
    else:
        typer.echo(f"campaign {created.id}: {created.total} item(s) queued")


@campaign_app.command("status")
def status(
    campaign_id: CampaignId,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Status, counts, progress and ETA."""
    from offergen.errors import NotFoundError

    _format(format, ("text", "json"))
    try:
        s = _campaigns().status(campaign_id, None)
    except NotFoundError as exc:
        fail(str(exc), code=1)
    if format == "json":
        typer.echo(s.model_dump_json())
        return
    eta = "" if s.eta_s is None else f", eta {s.eta_s:.0f}s"
    typer.echo(
        f"{s.id}: {s.status.value}, {s.progress:.0%} of {s.total} (done {s.done}, failed "
        f"{s.failed}, cancelled {s.cancelled}, running {s.running}, queued {s.queued}){eta}"
    )


@campaign_app.command("results")
def results(
    campaign_id: CampaignId,
    format: Annotated[
        str, typer.Option("--format", help="jsonl (one item a line) or csv (one variant a row)")
    ] = "jsonl",
) -> None:
    """The finished items so far, in item order, on stdout."""
    from offergen.campaigns.export import csv_lines, ndjson_lines
    from offergen.errors import NotFoundError

    _format(format, ("jsonl", "csv"))
    try:
        items = _campaigns().results(campaign_id, None)
    except NotFoundError as exc:
        fail(str(exc), code=1)
    for line in ndjson_lines(items) if format == "jsonl" else csv_lines(items):
        typer.echo(line, nl=False)


@campaign_app.command("cancel")
def cancel(campaign_id: CampaignId) -> None:
    """Cancel: queued items are dropped; items being generated finish and are kept."""
    from offergen.errors import ConflictError, NotFoundError

    try:
        s = _campaigns().cancel(campaign_id, None)
    except (NotFoundError, ConflictError) as exc:
        fail(str(exc), code=1)
    typer.echo(f"{s.id}: cancelled ({s.cancelled} item(s) dropped, {s.running} finishing)")


@campaign_app.command("run")
def run(
    campaign_id: Annotated[
        str | None, typer.Argument(help="the campaign to run [default: every open one]")
    ] = None,
    runner: Annotated[str, typer.Option(help="local (this process) or ray")] = "local",
    address: Annotated[
        str, typer.Option(help="with ray: local (start one here), auto, or a cluster address")
    ] = "local",
    workers: Annotated[int, typer.Option(min=1, help="with ray: actors (one pipeline each)")] = 1,
    concurrency: Concurrency = 8,
    lease_s: LeaseS = 60.0,
    poll_s: PollS = 1.0,
    max_attempts: MaxAttempts = 3,
) -> None:
    """Run a campaign (or every open one) to its end, then exit."""
    config = _config(concurrency, lease_s, poll_s, max_attempts)
    if runner == "local":
        stats = _run_local(campaign_id, config, stop=None)
    elif runner == "ray":
        stats = _run_ray(campaign_id, config, address, workers)
    else:
        fail(f"--runner must be local or ray, not {runner!r}")
    typer.echo(_summary(stats), err=True)
    if campaign_id is not None:
        status(campaign_id, format="text")


def worker(
    concurrency: Concurrency = 8,
    lease_s: LeaseS = 60.0,
    poll_s: PollS = 1.0,
    max_attempts: MaxAttempts = 3,
    until_idle: Annotated[
        bool, typer.Option(help="exit when no campaign has work left, instead of waiting")
    ] = False,
) -> None:
    """Run a campaign worker: claims items of every open campaign and generates them
    (SIGTERM or Ctrl-C: finish the items in flight, then exit)."""
    config = _config(concurrency, lease_s, poll_s, max_attempts)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stats = _run_local(None, config, stop=stop, until_idle=until_idle)
    typer.echo(_summary(stats), err=True)


def _run_local(
    campaign_id: str | None,
    config: WorkerConfig,
    *,
    stop: threading.Event | None,
    until_idle: bool = True,
) -> WorkerStats:
    from offergen.campaigns.worker import Worker
    from offergen.cli.llm import llm_server_for
    from offergen.errors import OffergenError

    ctx = open_ctx()
    try:
        with llm_server_for(ctx):
            with spinner("loading model and index"):
                ctx.pipeline.warm_up()
            store = ctx.campaigns.store
            if campaign_id is not None:
                store.status(campaign_id, None)  # an unknown id fails here, not after a wait
            return Worker(store, ctx.pipeline, config).run(
                campaign_id, stop=stop, until_idle=until_idle
            )
    except OffergenError as exc:
        fail(str(exc))


def _run_ray(
    campaign_id: str | None, config: WorkerConfig, address: str, workers: int
) -> WorkerStats:
    from functools import partial

    from offergen.app_context import campaign_slot
    from offergen.campaigns.ray_runner import connect, run_on_ray
    from offergen.errors import OffergenError

    settings = load_settings()
    if campaign_id is not None:
        try:
            _campaigns(settings).status(campaign_id, None)
        except OffergenError as exc:
            fail(str(exc), code=1)
    try:
        import ray  # noqa: F401
    except ImportError:
        fail("the ray runner needs Ray: pip install 'offergen[ray]'")
    try:
        connect(address, settings.data_dir)
        return run_on_ray(
            campaign_id, partial(campaign_slot, settings), actors=workers, config=config
        )
    except OffergenError as exc:
        fail(str(exc))


def _summary(stats: WorkerStats) -> str:
    return (
        f"done {stats.done}, failed {stats.failed}, retried {stats.requeued}, "
        f"lost to another worker {stats.lost}"
    )
