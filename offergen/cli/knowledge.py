"""`offergen merchants`, `offergen retrieve`, `offergen kb ...` and `offergen index ...`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import typer

from offergen.cli.common import fail, load_settings, spinner
from offergen.errors import OffergenError

if TYPE_CHECKING:
    from offergen.app_context import AppContext

kb_app = typer.Typer(help="The knowledge base: merchants, rules and past offers.")
index_app = typer.Typer(help="The FAISS index over rules and past offers.")

Format = Literal["json", "table"]
_T = TypeVar("_T")


@contextmanager
def _errors() -> Iterator[None]:
    """Domain and database errors end the command with one clear line, no traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except OffergenError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        # the driver's message names host and reason; the URL's password never reaches it
        fail(f"database error: {str(getattr(exc, 'orig', None) or exc).strip()}")


def _context() -> AppContext:
    """The configured application context (call inside `_errors()`)."""
    from offergen.app_context import open_context

    return open_context(load_settings())


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _table(rows: list[_T], line: Callable[[_T], str]) -> None:
    for row in rows:
        typer.echo(line(row))


def merchants(
    format: Annotated[Format, typer.Option("--format", help="json or table")] = "table",
    offset: Annotated[int, typer.Option(min=0)] = 0,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """List the merchants of the knowledge base."""
    with _errors():
        items = _context().kb.merchants(offset=offset, limit=limit)
    if format == "json":
        _echo_json([{"id": m.id, "name": m.name, "category": m.category} for m in items])
    else:
        _table(items, lambda m: f"{m.id:<28} {m.name:<28} {m.category}")


def retrieve(
    merchant_id: Annotated[str, typer.Option("--merchant-id", help="whose items to search")],
    query: Annotated[str, typer.Option(help="free text, e.g. 'cashback sms for students'")],
    k: Annotated[int, typer.Option(min=1, max=100)] = 10,
    kind: Annotated[
        str | None, typer.Option(help="past_offer or merchant_rule [default: both]")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="prefer past offers of this channel")] = None,
    format: Annotated[Format, typer.Option("--format", help="json or table")] = "table",
) -> None:
    """Search one merchant's rules and past offers (plus shareable offers) like the pipeline."""
    from offergen.schemas import Channel, SourceKind

    try:
        source_kind = SourceKind(kind) if kind is not None else None
        chan = Channel(channel) if channel is not None else None
    except ValueError as exc:
        fail(f"{exc}; kinds: past_offer, merchant_rule; channels: sms, push, email, in_app")
    with _errors():
        retriever = _context().pipeline.grounder.retriever
        with spinner("loading index and embedder"):
            retriever.warm_up()
        hits = retriever.retrieve(merchant_id, query, k, kind=source_kind, channel=chan)
    if format == "json":
        _echo_json(
            [
                {
                    "id": h.id,
                    "kind": h.kind.value,
                    "merchant_id": h.merchant_id,
                    "shareable": h.shareable,
                    "score": round(h.score, 4),
                    "text": h.text,
                }
                for h in hits
            ]
        )
    else:
        _table(hits, lambda h: f"{h.score:6.3f} {h.kind.value:<13} {h.id:<24} {h.text}")


@kb_app.command("seed")
def kb_seed(
    force: Annotated[bool, typer.Option(help="rebuild the whole index")] = False,
) -> None:
    """Write the deterministic demo knowledge base and bring its FAISS index up to date."""
    from offergen.app_context import embedder
    from offergen.demo.seed import seed_knowledge_base

    with _errors():
        ctx = _context()
        settings = ctx.settings
        report = seed_knowledge_base(
            ctx.kb,
            embedder(settings),
            settings.index_dir,
            settings.index,
            guardrails_dir=settings.guardrails_dir,
            force=force,
            progress=True,
        )
    typer.echo(report.model_dump_json())


@kb_app.command("import")
def kb_import(
    file: Annotated[Path, typer.Argument(help=".jsonl or .csv, one record per line/row")],
    kind: Annotated[str, typer.Option(help="merchant, merchant_rule or past_offer")] = "past_offer",
    strict: Annotated[bool, typer.Option(help="write nothing if any row is invalid")] = False,
    dry_run: Annotated[bool, typer.Option(help="validate and screen only")] = False,
    index: Annotated[bool, typer.Option(help="update the index afterwards")] = True,
) -> None:
    """Validate every row, report each bad one, upsert the good ones in one transaction.

    Exits 1 when any row was invalid (the valid ones are imported unless --strict).
    """
    from offergen.app_context import embedder
    from offergen.guardrails.packs import KB_SCREENING
    from offergen.retrieval.importer import import_rows, read_rows
    from offergen.retrieval.index_store import update_index

    if kind not in ("merchant", "merchant_rule", "past_offer"):
        fail(f"unknown kind '{kind}'; use merchant, merchant_rule or past_offer")
    if not file.is_file():
        fail(f"no such file: {file}")
    with _errors():
        rows, parse_errors = read_rows(file)
        ctx = _context()
        kb, settings = ctx.kb, ctx.settings
        report = import_rows(
            kb,
            ctx.packs.get(KB_SCREENING),
            kind,  # type: ignore[arg-type]  # checked above
            rows,
            source=file.name,
            parse_errors=parse_errors,
            strict=strict,
            dry_run=dry_run,
        )
        for e in report.errors:
            where = f"{file}:{e.line}" + (f": {e.field}" if e.field else "")
            typer.secho(f"{where}: {e.reason}", err=True, fg=typer.colors.YELLOW)
        for f in report.flagged:
            typer.secho(
                f"flagged {f.id} ({f.reason}): kept out of retrieval until reviewed",
                err=True,
                fg=typer.colors.YELLOW,
            )
        out = report.model_dump(mode="json")
        if report.applied and index and kind != "merchant":
            out["index"] = update_index(
                kb, embedder(settings), settings.index_dir, settings.index, progress=True
            ).model_dump(mode="json")
    _echo_json(out)
    if report.errors:
        raise typer.Exit(1)


@kb_app.command("stats")
def kb_stats() -> None:
    """Counts of merchants, active rules and past offers, and items waiting for review."""
    with _errors():
        kb = _context().kb
        _echo_json({"database": kb.db.safe_url, **kb.counts()})


@kb_app.command("flagged")
def kb_flagged(
    format: Annotated[Format, typer.Option("--format", help="json or table")] = "table",
) -> None:
    """Imported items kept out of retrieval: waiting for review, or rejected."""
    with _errors():
        items = _context().kb.flagged()
    if format == "json":
        _echo_json([i.model_dump(mode="json") for i in items])
    else:
        _table(items, lambda i: f"{i.status.value:<9} {i.kind.value:<13} {i.id:<24} {i.reason}")


@kb_app.command("review")
def kb_review(
    item_id: Annotated[str, typer.Argument(help="id of a flagged rule or past offer")],
    approve: Annotated[
        bool, typer.Option("--approve/--reject", help="make retrievable, or keep out for good")
    ],
    kind: Annotated[str, typer.Option(help="past_offer or merchant_rule")] = "past_offer",
) -> None:
    """Record a reviewer's decision on a flagged item (then run `offergen index build`)."""
    from offergen.schemas import SourceKind

    try:
        source_kind = SourceKind(kind)
    except ValueError:
        fail(f"unknown kind '{kind}'; use past_offer or merchant_rule")
    with _errors():
        _context().kb.review(source_kind, item_id, approve)
    typer.echo(f"{item_id}: {'approved' if approve else 'rejected'}")


@index_app.command("build")
def index_build(
    full: Annotated[bool, typer.Option(help="rebuild every partition")] = False,
) -> None:
    """Bring the index in line with the knowledge base: only what changed is re-embedded and
    re-indexed; written aside and swapped in atomically."""
    from offergen.app_context import embedder
    from offergen.retrieval.index_store import update_index

    with _errors():
        ctx = _context()
        settings = ctx.settings
        report = update_index(
            ctx.kb,
            embedder(settings),
            settings.index_dir,
            settings.index,
            full=full,
            progress=True,
        )
    typer.echo(report.model_dump_json())


@index_app.command("stats")
def index_stats() -> None:
    """What the index holds: version, embedder, items, partitions by kind."""
    from offergen.retrieval.index_store import index_stats as stats

    settings = load_settings()
    with _errors():
        _echo_json(stats(settings.index_dir, settings.index))
