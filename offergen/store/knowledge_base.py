"""The knowledge base: merchants, their rules and their past offers, in the service's database.

Imported text that a reviewer has not cleared (`flagged`) or has rejected is stored but never
returned by the lookups the prompt is built from, nor indexed.

Each merchant belongs to one tenant. Inside `tenant_scope(t)` the lookups (merchants, merchant,
merchant_ids, rules, past offers, records) see only tenant t's merchants and their records: another
tenant's merchant is as unknown as one that does not exist. The API enters the scope once per
request with the caller's tenant, so no lookup made on the way (by the pipeline, the retriever or
the importer) can forget the filter, the way a row-level security policy works. Maintenance
(indexable, counts, flagged, review, upsert) always sees every tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from offergen.errors import NotFoundError
from offergen.schemas import Merchant, MerchantRule, PastOffer, SourceKind
from offergen.store.database import Database
from offergen.store.knowledge_tables import MerchantRow, PastOfferRow, ReviewStatus, RuleRow
from offergen.store.tenancy import current_tenant

__all__ = ["FlaggedItem", "IndexRecord", "KnowledgeBase", "UpsertCounts"]

_CHUNK = 500  # ids per IN (...) clause: under SQLite's variable limit, cheap on PostgreSQL
_ACTIVE = ReviewStatus.active.value

_Row = TypeVar("_Row", MerchantRow, RuleRow, PastOfferRow)
# Rules and past offers share the review columns (status, flag_reason).
_TABLES: dict[SourceKind, type[RuleRow] | type[PastOfferRow]] = {
    SourceKind.merchant_rule: RuleRow,
    SourceKind.past_offer: PastOfferRow,
}


_Stmt = TypeVar("_Stmt", bound=Select[Any])


def _scoped(stmt: _Stmt, merchant_id: Any = None) -> _Stmt:
    """`stmt` restricted to the current tenant's merchants; `merchant_id` is the column that
    names the merchant of a rule or past offer (None: `stmt` selects merchants)."""
    tenant = current_tenant()
    if tenant is None:
        return stmt
    if merchant_id is None:
        return stmt.where(MerchantRow.tenant_id == tenant)
    mine = select(MerchantRow.id).where(MerchantRow.tenant_id == tenant)
    return stmt.where(merchant_id.in_(mine))


def _count(s: Session, table: type[RuleRow] | type[PastOfferRow], status: str) -> int:
    return s.scalar(select(func.count()).select_from(table).where(table.status == status)) or 0


def _reviewed(s: Session, stmt: Select[Any]) -> list[RuleRow | PastOfferRow]:
    return cast(list[RuleRow | PastOfferRow], list(s.scalars(stmt)))


class IndexRecord(BaseModel):
    """One retrievable record, with what the index partitions it by."""

    kind: SourceKind
    id: str
    merchant_id: str
    shareable: bool
    record: MerchantRule | PastOffer


class FlaggedItem(BaseModel):
    kind: SourceKind
    id: str
    merchant_id: str
    status: ReviewStatus
    reason: str  # rule ids of the screening findings, never the text itself


class UpsertCounts(BaseModel):
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _row_dict(row: Any, keys: Iterable[str]) -> dict[str, Any]:
    return {k: getattr(row, k) for k in keys}


class KnowledgeBase:
    """Lookups and transactional upserts over the knowledge-base tables. Cheap to construct."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_schema(self) -> None:
        self.db.create_schema()

    # --- lookups -------------------------------------------------------------------------------

    def merchants(self, offset: int = 0, limit: int | None = None) -> list[Merchant]:
        stmt = _scoped(select(MerchantRow)).order_by(MerchantRow.id).offset(offset).limit(limit)
        with self.db.read() as s:
            return [r.to_model() for r in s.scalars(stmt)]

    def merchant_count(self) -> int:
        with self.db.read() as s:
            return s.scalar(_scoped(select(func.count()).select_from(MerchantRow))) or 0

    def merchant(self, merchant_id: str) -> Merchant:
        """NotFoundError, with the same message, for an unknown merchant and for another
        tenant's: a caller cannot tell them apart."""
        stmt = _scoped(select(MerchantRow).where(MerchantRow.id == merchant_id))
        with self.db.read() as s:
            row = s.scalars(stmt).one_or_none()
        if row is None:
            raise NotFoundError(f"unknown merchant {merchant_id!r}")
        return row.to_model()

    def tenants(self) -> list[str]:
        """Every tenant that owns at least one merchant."""
        stmt = select(MerchantRow.tenant_id).distinct().order_by(MerchantRow.tenant_id)
        with self.db.read() as s:
            return list(s.scalars(stmt))

    def merchant_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of `ids` exist."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self.db.read() as s:
            for chunk in _chunks(wanted):
                stmt = _scoped(select(MerchantRow.id).where(MerchantRow.id.in_(chunk)))
                found.update(s.scalars(stmt))
        return found

    def rules(self, merchant_id: str) -> list[MerchantRule]:
        """This merchant's active rules (NotFoundError for an unknown merchant, not [])."""
        self.merchant(merchant_id)
        stmt = (
            select(RuleRow)
            .where(RuleRow.merchant_id == merchant_id, RuleRow.status == _ACTIVE)
            .order_by(RuleRow.id)
        )
        with self.db.read() as s:
            return [r.to_model() for r in s.scalars(stmt)]

    def past_offer(self, offer_id: str) -> PastOffer:
        stmt = _scoped(
            select(PastOfferRow).where(PastOfferRow.id == offer_id), PastOfferRow.merchant_id
        )
        with self.db.read() as s:
            row = s.scalars(stmt).one_or_none()
        if row is None or row.status != _ACTIVE:
            raise NotFoundError(f"unknown past offer {offer_id!r}")
        return row.to_model()

    def past_offers(self, merchant_id: str | None = None) -> list[PastOffer]:
        """Active past offers, all or one merchant's (NotFoundError for an unknown merchant)."""
        stmt = _scoped(
            select(PastOfferRow).where(PastOfferRow.status == _ACTIVE), PastOfferRow.merchant_id
        )
        if merchant_id is not None:
            self.merchant(merchant_id)
            stmt = stmt.where(PastOfferRow.merchant_id == merchant_id)
        with self.db.read() as s:
            return [r.to_model() for r in s.scalars(stmt.order_by(PastOfferRow.id))]

    def records(
        self, kind: SourceKind, ids: Sequence[str]
    ) -> dict[str, PastOffer] | dict[str, MerchantRule]:
        """Active records of one kind by id; unknown or unreviewed ids (and, inside a tenant
        scope, another tenant's) are simply absent."""
        table = _TABLES[kind]
        out: dict[str, Any] = {}
        with self.db.read() as s:
            for chunk in _chunks(list(ids)):
                stmt = _scoped(
                    select(table).where(table.id.in_(chunk), table.status == _ACTIVE),
                    table.merchant_id,
                )
                out.update((r.id, r.to_model()) for r in _reviewed(s, stmt))
        return out

    def redemption_priors(self) -> dict[str, tuple[int, int]]:
        """(redemptions, sent) summed per channel over active past offers."""
        stmt = (
            select(
                PastOfferRow.channel,
                func.sum(PastOfferRow.redemptions),
                func.sum(PastOfferRow.sent),
            )
            .where(PastOfferRow.status == _ACTIVE)
            .group_by(PastOfferRow.channel)
        )
        with self.db.read() as s:
            return {ch: (int(r or 0), int(n or 0)) for ch, r, n in s.execute(stmt)}

    def indexable(self) -> Iterator[IndexRecord]:
        """Every active rule and past offer (the index builds the text it embeds)."""
        with self.db.read() as s:
            for rule in s.scalars(
                select(RuleRow).where(RuleRow.status == _ACTIVE).order_by(RuleRow.id)
            ):
                yield IndexRecord(
                    kind=SourceKind.merchant_rule,
                    id=rule.id,
                    merchant_id=rule.merchant_id,
                    shareable=False,  # a merchant's rules never serve another merchant
                    record=rule.to_model(),
                )
            offers = s.scalars(
                select(PastOfferRow)
                .where(PastOfferRow.status == _ACTIVE)
                .order_by(PastOfferRow.id)
                .execution_options(yield_per=2000)
            )
            for offer in offers:
                yield IndexRecord(
                    kind=SourceKind.past_offer,
                    id=offer.id,
                    merchant_id=offer.merchant_id,
                    shareable=offer.shareable,
                    record=offer.to_model(),
                )

    def counts(self) -> dict[str, int]:
        flagged = ReviewStatus.flagged.value
        with self.db.read() as s:
            return {
                "merchants": s.scalar(select(func.count()).select_from(MerchantRow)) or 0,
                "rules": _count(s, RuleRow, _ACTIVE),
                "past_offers": _count(s, PastOfferRow, _ACTIVE),
                "flagged": sum(_count(s, t, flagged) for t in _TABLES.values()),
            }

    # --- review --------------------------------------------------------------------------------

    def flagged(self) -> list[FlaggedItem]:
        """Items kept out of retrieval: waiting for review, or rejected."""
        out: list[FlaggedItem] = []
        with self.db.read() as s:
            for kind, table in _TABLES.items():
                stmt = select(table).where(table.status != _ACTIVE).order_by(table.id)
                out.extend(
                    FlaggedItem(
                        kind=kind,
                        id=r.id,
                        merchant_id=r.merchant_id,
                        status=ReviewStatus(r.status),
                        reason=r.flag_reason,
                    )
                    for r in _reviewed(s, stmt)
                )
        return out

    def review(self, kind: SourceKind, item_id: str, approve: bool) -> None:
        """A reviewer's decision on a flagged item: approved text becomes retrievable."""
        table = _TABLES[kind]
        status = ReviewStatus.active if approve else ReviewStatus.rejected
        with self.db.transaction() as s:
            row = cast(RuleRow | PastOfferRow | None, s.get(table, item_id))
            if row is None:
                raise NotFoundError(f"unknown {kind.value} {item_id!r}")
            row.status = status.value

    # --- writing -------------------------------------------------------------------------------

    def upsert(
        self,
        merchants: Sequence[Merchant] = (),
        rules: Sequence[MerchantRule] = (),
        past_offers: Sequence[PastOffer] = (),
        flags: dict[tuple[SourceKind, str], str] | None = None,
    ) -> dict[str, UpsertCounts]:
        """Insert or update by id, all in one transaction (any error: nothing is written).

        `flags` maps (kind, id) of a rule or past offer to the reason screening flagged its
        text; new or changed text is stored `flagged` with that reason, else `active`. A row whose
        content is unchanged keeps its review state, so re-importing a file changes nothing.
        """
        flags = flags or {}
        with self.db.transaction() as s:
            return {
                "merchants": _upsert(
                    s, MerchantRow, [MerchantRow.from_model(m) for m in merchants]
                ),
                "rules": _upsert(
                    s,
                    RuleRow,
                    [RuleRow.from_model(r) for r in rules],
                    {i: why for (k, i), why in flags.items() if k is SourceKind.merchant_rule},
                ),
                "past_offers": _upsert(
                    s,
                    PastOfferRow,
                    [PastOfferRow.from_model(p) for p in past_offers],
                    {i: why for (k, i), why in flags.items() if k is SourceKind.past_offer},
                ),
            }


def _upsert(
    s: Session,
    table: type[_Row],
    rows: list[dict[str, Any]],
    flags: dict[str, str] | None = None,
) -> UpsertCounts:
    counts = UpsertCounts()
    if not rows:
        return counts
    keys = list(rows[0])
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks([r["id"] for r in rows]):
        for row in s.scalars(select(table).where(table.id.in_(chunk))):
            existing[row.id] = _row_dict(row, keys)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for r in rows:
        old = existing.get(r["id"])
        if old == r:
            counts.unchanged += 1
            continue
        if flags is not None and (old is None or old.get("text") != r.get("text")):
            reason = flags.get(r["id"], "")
            r = r | {
                "status": ReviewStatus.flagged.value if reason else _ACTIVE,
                "flag_reason": reason[:400],
            }
        (new if old is None else changed).append(r)
    if new:
        s.execute(insert(table), new)
        counts.inserted = len(new)
    if changed:
        s.execute(update(table), changed)  # bulk UPDATE by primary key
        counts.updated = len(changed)
    return counts
