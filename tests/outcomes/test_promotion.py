"""Promotion of proven variants into the knowledge base: at the minimum sends a released variant
becomes a past offer (terms, channel, segment, figures, link to its audit record), its figures
follow later outcomes, the index takes it in, and only its own merchant retrieves it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.outcomes.params import PromotionParams
from offergen.outcomes.promotion import Promoter, past_offer_id
from offergen.outcomes.schemas import OutcomeEvent
from offergen.outcomes.service import Outcomes
from offergen.retrieval.documents import offer_query
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.retrieval.index_updater import IndexUpdater
from offergen.schemas import Channel, SourceKind
from offergen.store.audit_tables import AuditRow
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.outcome_log import OutcomeLog
from offergen.store.promotions import Promotions
from offergen.store.sql_audit import SqlAuditStore
from offergen.store.tenancy import tenant_scope
from tests.store.audit_records import OFFER, audit_record
from tests.support.databases import load_kb
from tests.support.hashing_embedder import HashingEmbedder

TEXT = "Zebra lantern night: 5% back at FreshMart, up to $20. Terms apply."
AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _event(event_id: str, sends: int, redemptions: int, variant: int = 0) -> OutcomeEvent:
    values: dict[str, Any] = {
        "event_id": event_id,
        "request_id": "r_win",
        "variant": variant,
        "sends": sends,
        "clicks": redemptions * 3,
        "redemptions": redemptions,
        "at": AT,
    }
    return OutcomeEvent.model_validate(values)


def _outcomes(kb: KnowledgeBase, tenant: str, on_new: Any = None) -> Outcomes:
    db = kb.db
    audit = SqlAuditStore(db)
    audit.append(
        [
            audit_record("r_win", 0, tenant=tenant, text=TEXT, segment="young professionals"),
            audit_record("r_win", 1, tenant=tenant, released=False),
        ]
    )
    log = OutcomeLog(db)
    promoter = Promoter(kb, log, Promotions(db), PromotionParams(min_sends=1000), on_new)
    return Outcomes(log, audit, promoter)


def test_a_variant_becomes_a_past_offer_at_the_minimum_sends(kb13: KnowledgeBase) -> None:
    tenant = kb13.merchant("m_freshmart").tenant
    outcomes = _outcomes(kb13, tenant)
    pid = past_offer_id((tenant, "r_win", 0))
    assert outcomes.record(tenant, [_event("e1", 600, 6)]).promoted == []
    assert pid not in {p.id for p in kb13.past_offers("m_freshmart")}

    assert outcomes.record(tenant, [_event("e2", 400, 4)]).promoted == [pid]
    offer = kb13.past_offer(pid)
    assert (offer.merchant_id, offer.text, offer.channel, offer.segment) == (
        "m_freshmart",
        TEXT,
        Channel.sms,
        "young professionals",
    )
    assert offer.offer == OFFER and not offer.shareable
    assert (offer.sent, offer.clicks, offer.redemptions) == (1000, 30, 10)
    assert offer.sent_at == AT.date()
    source = Promotions(kb13.db).source(pid)
    assert source is not None
    audit_id, key = source
    assert key == (tenant, "r_win", 0)
    with kb13.db.read() as session:  # the link names the variant's own audit record
        row = session.get(AuditRow, audit_id)
        assert row is not None and (row.request_id, row.variant, row.text) == ("r_win", 0, TEXT)

    # later outcomes update its figures; a replay does not
    outcomes.record(tenant, [_event("e3", 500, 20), _event("e2", 400, 4)])
    assert (kb13.past_offer(pid).sent, kb13.past_offer(pid).redemptions) == (1500, 30)
    # it is this tenant's, like its merchant
    with tenant_scope("someone-else"):
        assert pid not in kb13.records(SourceKind.past_offer, [pid])


def test_promoted_offers_are_indexed_and_retrieved_for_their_merchant_only(
    tmp_path: Path,
) -> None:
    demo: DemoKB = generate_demo_kb(n_merchants=3, offers_per_merchant=10)
    kb = load_kb(Database(f"sqlite:///{tmp_path / 'kb.db'}"), demo)
    index_dir = tmp_path / "index"
    update_index(kb, HashingEmbedder(), index_dir, IndexParams())
    indexer = IndexUpdater(kb, HashingEmbedder(), index_dir, IndexParams())
    tenant = kb.merchant("m_freshmart").tenant
    outcomes = _outcomes(kb, tenant, on_new=indexer.schedule)
    [pid] = outcomes.record(tenant, [_event("e1", 5000, 400)]).promoted
    indexer.wait(30)
    assert indexer.error is None and indexer.last is not None and indexer.last.count > 0

    retriever = FaissRetriever(index_dir, kb, HashingEmbedder())
    retriever.warm_up()
    query = offer_query(OFFER, Channel.sms, "young professionals") + " zebra lantern night"
    hits = retriever.retrieve("m_freshmart", query, 3, kind=SourceKind.past_offer)
    assert hits[0].id == pid and hits[0].record.redemptions == 400  # type: ignore[union-attr]
    # the same tenant's other merchant, and the other tenant's, never see it
    others = [m.id for m in kb.merchants() if m.id != "m_freshmart"]
    assert others
    for merchant_id in others:
        found = retriever.retrieve(merchant_id, query, 50, kind=SourceKind.past_offer)
        assert pid not in {h.id for h in found}


def test_the_ranking_uses_its_figures_like_any_past_offers(tmp_path: Path) -> None:
    demo = generate_demo_kb(n_merchants=1, offers_per_merchant=4)
    kb = load_kb(Database(f"sqlite:///{tmp_path / 'kb.db'}"), demo)
    tenant = kb.merchant("m_freshmart").tenant if kb.merchant_ids(["m_freshmart"]) else None
    if tenant is None:
        pytest.skip("the one-merchant demo KB has no FreshMart")
    outcomes = _outcomes(kb, tenant)
    index_dir = tmp_path / "index"
    [pid] = outcomes.record(tenant, [_event("e1", 2000, 2)]).promoted
    update_index(kb, HashingEmbedder(), index_dir, IndexParams())
    retriever = FaissRetriever(index_dir, kb, HashingEmbedder(), reload_interval=0.0)
    retriever.warm_up()
    query = offer_query(OFFER, Channel.sms, "young professionals") + " zebra lantern night"
    [poor] = [h for h in retriever.retrieve("m_freshmart", query, 10) if h.id == pid]
    # the same offer after many redemptions ranks higher, with the same similarity
    outcomes.record(tenant, [_event("e2", 2000, 600)])
    [good] = [h for h in retriever.retrieve("m_freshmart", query, 10) if h.id == pid]
    assert good.similarity == pytest.approx(poor.similarity)
    assert good.score > poor.score
