"""`offergen keys`: API keys, stored hashed; each key has one tenant and one role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from offergen.cli.common import fail, load_settings
from offergen.errors import OffergenError

if TYPE_CHECKING:
    from offergen.store.keys import KeyInfo, KeyStore
    from offergen.store.knowledge_base import KnowledgeBase

keys_app = typer.Typer(
    help="Create, list and revoke API keys (stored hashed; each key has one tenant and one role).",
    no_args_is_help=True,
)

Format = Literal["text", "json"]
_SHOWN_ONCE = (
    "warning: this is the only time the key is shown; store it now (only its hash is kept, "
    "it cannot be recovered)"
)


@contextmanager
def _store() -> Iterator[tuple[KeyStore, KnowledgeBase]]:
    """The key store and knowledge base of the configured database; a bad role, tenant, key id
    or database ends the command with one line on stderr and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from offergen.app_context import open_context

    try:
        ctx = open_context(load_settings())
        yield ctx.keys, ctx.kb
    except OffergenError as exc:
        fail(str(exc), 1)
    except SQLAlchemyError as exc:
        fail(f"database error: {str(getattr(exc, 'orig', None) or exc).strip()}", 1)


def _json(info: KeyInfo) -> dict[str, object]:
    return info.model_dump(mode="json") | {"active": info.active}


@keys_app.command("create")
def create(
    tenant: Annotated[str, typer.Option(help="whose merchants the key sees")],
    role: Annotated[str, typer.Option(help="marketing, reviewer or admin")],
    label: Annotated[str, typer.Option(help="what the key is for, e.g. 'crm prod'")] = "",
    format: Annotated[Format, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Create a key and print it once: only its hash is stored."""
    from offergen.errors import InvalidInputError
    from offergen.store.keys import parse_role

    with _store() as (keys, kb):
        parsed = parse_role(role)
        tenants = kb.tenants()
        if tenant not in tenants:
            raise InvalidInputError(
                f"unknown tenant {tenant!r}: no merchant belongs to it "
                f"(tenants: {', '.join(tenants) or 'none'}); import its merchants first",
                [("tenant", "unknown tenant")],
            )
        info, plaintext = keys.create(tenant, parsed, label)
    typer.secho(_SHOWN_ONCE, err=True, fg=typer.colors.YELLOW)
    if format == "json":
        typer.echo(json.dumps(_json(info) | {"key": plaintext}, indent=2))
    else:
        typer.echo(f"created key {info.id} (tenant {info.tenant}, role {info.role.value})")
        typer.echo(plaintext)


@keys_app.command("list")
def list_keys(
    tenant: Annotated[str | None, typer.Option(help="only this tenant's keys")] = None,
    format: Annotated[Format, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """List keys, revoked ones too (never their secrets)."""
    with _store() as (keys, _):
        infos = keys.list(tenant)
    if format == "json":
        typer.echo(json.dumps([_json(i) for i in infos], indent=2))
        return
    for i in infos:
        status = "active" if i.active else f"revoked {i.revoked_at:%Y-%m-%d %H:%M}"
        used = f"{i.last_used_at:%Y-%m-%d %H:%M}" if i.last_used_at else "never used"
        typer.echo(
            f"{i.id}  {i.tenant:<16} {i.role.value:<10} {status:<24} "
            f"created {i.created_at:%Y-%m-%d %H:%M}  {used:<16}  {i.label}"
        )


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key's id (from `keys list`)")]) -> None:
    """Revoke a key: every request with it is refused (401) from now on."""
    with _store() as (keys, _):
        info = keys.revoke(key_id)
    typer.echo(f"revoked key {info.id} (tenant {info.tenant}, role {info.role.value})")
