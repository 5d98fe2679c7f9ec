"""`offergen db`: the database schema, brought up to date by the migrations in
offergen/store/migrations (the service also runs them when it starts)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from offergen.cli.common import fail, load_settings

if TYPE_CHECKING:
    from offergen.store.database import Database

db_app = typer.Typer(
    help="Database schema: upgrade it to the newest migration, or show its revision.",
    no_args_is_help=True,
)


@contextmanager
def _database() -> Iterator[Database]:
    """The configured database; a database or migration error ends the command with one line on
    stderr (never the URL's password) and exit code 1."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from offergen.store.database import Database

    db = Database(load_settings().db_url)
    try:
        yield db
    except CommandError as exc:
        fail(str(exc), 1)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        fail(f"database error on {db.safe_url}: {reason}", 1)
    finally:
        db.dispose()


def _label(revision: str | None) -> str:
    from offergen.store.migrate import head

    if revision is None:
        return "none"
    return f"{revision} (head)" if revision == head() else revision


@db_app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="revision to upgrade to")] = "head",
) -> None:
    """Run the migrations the database lacks (idempotent)."""
    from offergen.store import migrate

    with _database() as db:
        before = migrate.current(db)
        migrate.upgrade(db, revision)
        after = migrate.current(db)
    if before == after:
        typer.echo(f"{db.safe_url}: already at {_label(after)}")
    else:
        typer.echo(f"{db.safe_url}: upgraded from {_label(before)} to {_label(after)}")


@db_app.command("current")
def current() -> None:
    """Print the database's revision ("none": empty, or made before migrations existed)."""
    from offergen.store import migrate

    with _database() as db:
        revision = migrate.current(db)
    typer.echo(_label(revision))
