"""`offergen outcomes import FILE`: outcome events from a file, as `POST /v1/outcomes` takes
them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from offergen.cli.common import fail, open_ctx

outcomes_app = typer.Typer(
    help="Outcomes of released copy: import the sends, clicks and redemptions senders report.",
    no_args_is_help=True,
)


@outcomes_app.command("import")
def import_outcomes(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSONL (one event a line) or CSV (header: event_id,request_id,variant,sends,"
            "clicks,redemptions,at)"
        ),
    ],
    tenant: Annotated[
        str | None,
        typer.Option(help="only this tenant's requests [default: every tenant's]"),
    ] = None,
) -> None:
    """Store the file's events, all or none, each event_id once; prints the receipt as JSON.
    Every bad line is reported with its number and field, and then nothing is stored."""
    from pydantic import ValidationError

    from offergen.errors import InvalidInputError, OffergenError
    from offergen.outcomes.schemas import OutcomeEvent
    from offergen.retrieval.importer import read_rows

    try:
        rows, parse_errors = read_rows(file)
    except InvalidInputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    problems = [f"line {e.line}: {e.reason}" for e in parse_errors]
    events: list[OutcomeEvent] = []
    lines: list[int] = []
    for where, raw in rows:
        line = where.get("line", 0)
        try:
            events.append(OutcomeEvent.model_validate(raw))
            lines.append(line)
        except ValidationError as exc:
            problems += [
                f"line {line}: {'.'.join(str(p) for p in e['loc']) or '(row)'}: {e['msg']}"
                for e in exc.errors()
            ]
    if problems:
        _report(problems)
    if not events:
        fail(f"{file}: no events")
    ctx = open_ctx()
    try:
        receipt = ctx.outcomes.record(tenant, events)
    except InvalidInputError as exc:
        # events.<i>.<field> -> the line the event came from
        _report(
            [
                f"line {lines[int(path.split('.')[1])]}: {path.split('.', 2)[2]}: {reason}"
                for path, reason in exc.fields
            ]
        )
    except OffergenError as exc:
        fail(str(exc))
    finally:
        if ctx.indexer is not None:
            ctx.indexer.wait()  # a promoted variant is in the index when the command ends
        ctx.close()
    typer.echo(json.dumps(receipt.model_dump(mode="json")))


def _report(problems: list[str]) -> NoReturn:
    for p in problems[:50]:
        typer.secho(p, err=True)
    fail(f"{len(problems)} problem(s); nothing was stored")
