"""`offergen review`: the queue of held copy, decisions, and their export as eval cases."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from offergen.cli.common import fail, open_ctx

if TYPE_CHECKING:
    from offergen.store.review_queue import Decision, ReviewQueue

review_app = typer.Typer(
    help="Review held copy: list the queue, approve or reject, export decisions as eval cases.",
    no_args_is_help=True,
)

ReviewId = Annotated[int, typer.Argument(help="review item id (from `offergen review list`)")]
Reason = Annotated[str, typer.Option(help="why (1 to 500 characters; stored and exported)")]


def _queue() -> ReviewQueue:
    """The queue in the configured database, screening reasons like the API does."""
    return open_ctx().reviews


@review_app.command("list")
def list_pending(
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    offset: Annotated[int, typer.Option(min=0)] = 0,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
) -> None:
    """Items waiting for a decision (every tenant), oldest first."""
    if format not in ("text", "json"):
        fail(f"--format must be text or json, not {format!r}")
    page = _queue().pending(None, offset=offset, limit=limit)
    if format == "json":
        typer.echo(json.dumps([i.model_dump(mode="json") for i in page.items], indent=2))
        return
    for item in page.items:
        r = item.record
        rules = ",".join(dict.fromkeys(f.rule_id for f in r.findings)) or "-"
        typer.echo(f"{item.id:>6}  {item.queued_for:<7}  {r.merchant_id:<16}  {rules}  {r.text}")
    typer.echo(f"{page.total} pending", err=True)


@review_app.command("approve")
def approve(review_id: ReviewId, reason: Reason) -> None:
    """Approve the copy; the decision is final."""
    from offergen.store.review_queue import Decision

    _decide(review_id, Decision.approve, reason)


@review_app.command("reject")
def reject(review_id: ReviewId, reason: Reason) -> None:
    """Reject the copy; the decision is final."""
    from offergen.store.review_queue import Decision

    _decide(review_id, Decision.reject, reason)


def _decide(review_id: int, decision: Decision, reason: str) -> None:
    from offergen.errors import ConflictError, InvalidInputError, NotFoundError

    queue = _queue()
    try:
        queue.decide(review_id, None, decision, reason, f"cli:{getpass.getuser()}")
    except (NotFoundError, ConflictError) as exc:
        fail(str(exc), code=1)
    except InvalidInputError as exc:
        fail(str(exc))
    typer.echo(f"review item {review_id}: {decision.value} recorded")


@review_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="JSONL file to write, one eval case a line")],
    since: Annotated[
        datetime | None, typer.Option(help="only items decided at or after (UTC date or time)")
    ] = None,
) -> None:
    """Write the decided items as eval cases: the reviewed text, its terms, and the label."""
    items = _queue().decided(since)
    lines = "".join(json.dumps(i.eval_case(), ensure_ascii=False) + "\n" for i in items)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(lines, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    typer.echo(f"wrote {len(items)} eval case(s) to {out}", err=True)
