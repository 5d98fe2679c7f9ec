"""FaissRetriever: tenant isolation, k filled, kinds and channels, performance ranking, reloads."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from offergen.demo.generator import DemoKB
from offergen.errors import ConfigError, NotFoundError, NotReadyError
from offergen.retrieval.documents import offer_document
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.retrieval.ranking import RankingParams
from offergen.schemas import Channel, PastOffer, SourceKind
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.hashing_embedder import HashingEmbedder


def _retriever(kb: KnowledgeBase, index_dir: Path, **kw: object) -> FaissRetriever:
    r = FaissRetriever(index_dir, kb, HashingEmbedder(), **kw)  # type: ignore[arg-type]
    r.warm_up()
    return r


@pytest.fixture
def built(kb13: KnowledgeBase, tmp_path: Path) -> FaissRetriever:
    update_index(kb13, HashingEmbedder(), tmp_path / "index", IndexParams())
    return _retriever(kb13, tmp_path / "index")


def _tenant(demo: DemoKB, merchant_id: str) -> str:
    return next(m.tenant for m in demo.merchants if m.id == merchant_id)


def _allowed(demo: DemoKB, merchant_id: str) -> set[str]:
    """Its own records, and offers shared by merchants of its tenant."""
    tenant = _tenant(demo, merchant_id)
    shared = {
        p.id for p in demo.past_offers if p.shareable and _tenant(demo, p.merchant_id) == tenant
    }
    mine = {p.id for p in demo.past_offers if p.merchant_id == merchant_id}
    return mine | shared | {r.id for r in demo.rules if r.merchant_id == merchant_id}


def test_isolation_across_many_random_queries(built: FaissRetriever, small_demo: DemoKB) -> None:
    rng = random.Random(3)
    offers = small_demo.past_offers
    for _ in range(100):
        merchant = rng.choice(small_demo.merchants)
        foreign = rng.choice(offers)
        query = offer_document(foreign) if rng.random() < 0.7 else f"{foreign.offer.merchant} deal"
        kind = rng.choice([None, SourceKind.past_offer, SourceKind.merchant_rule])
        hits = built.retrieve(merchant.id, query, rng.randint(1, 30), kind=kind)
        assert {h.id for h in hits} <= _allowed(small_demo, merchant.id)
        for h in hits:
            assert h.merchant_id == merchant.id or (h.kind is SourceKind.past_offer and h.shareable)


def test_exact_copy_of_a_foreign_offer(built: FaissRetriever, small_demo: DemoKB) -> None:
    me = small_demo.merchants[0].id
    tenant = _tenant(small_demo, me)
    others = [p for p in small_demo.past_offers if p.merchant_id != me]
    private = next(p for p in others if not p.shareable)
    shared = next(p for p in others if p.shareable and _tenant(small_demo, p.merchant_id) == tenant)
    foreign = next(
        p for p in others if p.shareable and _tenant(small_demo, p.merchant_id) != tenant
    )
    assert private.id not in {h.id for h in built.retrieve(me, offer_document(private), 50)}
    top = built.retrieve(me, offer_document(shared), 3, kind=SourceKind.past_offer)[0]
    assert top.id == shared.id and top.shareable and top.similarity == pytest.approx(1.0)
    # shared within the tenant only, even outside any tenant scope (CLI, keyless dev)
    assert foreign.id not in {h.id for h in built.retrieve(me, offer_document(foreign), 50)}


def test_k_is_filled_and_everything_eligible_is_reachable(
    built: FaissRetriever, small_demo: DemoKB
) -> None:
    mid = small_demo.merchants[3].id
    for k in (1, 4, 10):
        assert len(built.retrieve(mid, "discount", k)) == k
        assert len(built.retrieve(mid, "discount", k, channel=Channel.sms)) == k
    everything = built.retrieve(mid, "discount", 10_000)
    assert {h.id for h in everything} == _allowed(small_demo, mid)
    assert [h.score for h in everything] == sorted((h.score for h in everything), reverse=True)
    rules = built.retrieve(mid, "brand voice", 100, kind=SourceKind.merchant_rule)
    assert {h.id for h in rules} == {r.id for r in small_demo.rules if r.merchant_id == mid}
    with pytest.raises(ValueError):
        built.retrieve(mid, "discount", 0)


def test_k_is_filled_when_many_hits_are_dropped(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    """Items flagged after the index was built are dropped; the search widens to still give k."""
    update_index(kb13, HashingEmbedder(), tmp_path / "index", IndexParams())
    mid = small_demo.merchants[0].id
    mine = [p for p in small_demo.past_offers if p.merchant_id == mid and not p.shareable]
    flags = {(SourceKind.past_offer, p.id): "test" for p in mine[:-3]}
    kb13.upsert(
        past_offers=[p.model_copy(update={"text": p.text + "!"}) for p in mine[:-3]], flags=flags
    )
    retriever = _retriever(kb13, tmp_path / "index", candidate_factor=1)
    hits = retriever.retrieve(mid, "cash back", 5, kind=SourceKind.past_offer)
    assert len(hits) == 5
    assert not {h.id for h in hits} & {i for _, i in flags}


def test_channel_is_preferred(built: FaissRetriever, small_demo: DemoKB) -> None:
    improved = 0
    for m in small_demo.merchants:
        query = "cash back on your next order"
        plain = built.retrieve(m.id, query, 4, kind=SourceKind.past_offer)
        for channel in Channel:
            hits = built.retrieve(m.id, query, 4, kind=SourceKind.past_offer, channel=channel)
            flags = [isinstance(h.record, PastOffer) and h.record.channel is channel for h in hits]
            assert flags == sorted(flags, reverse=True)  # same channel first
            same, before = (
                sum(flags),
                sum(isinstance(h.record, PastOffer) and h.record.channel is channel for h in plain),
            )
            assert same >= before
            improved += same > before
    assert improved > 0


def test_performance_breaks_near_ties_with_a_prior(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    base = next(p for p in small_demo.past_offers if not p.shareable)
    twins = [
        base.model_copy(update={"id": "t_mediocre", "sent": 20_000, "redemptions": 20}),
        base.model_copy(update={"id": "t_strong", "sent": 20_000, "redemptions": 900}),
        base.model_copy(update={"id": "t_lucky", "sent": 3, "clicks": 2, "redemptions": 2}),
    ]
    kb13.upsert(past_offers=twins)
    update_index(kb13, HashingEmbedder(), tmp_path / "index", IndexParams())
    retriever = _retriever(kb13, tmp_path / "index")
    hits = retriever.retrieve(
        base.merchant_id, offer_document(base), 10, kind=SourceKind.past_offer
    )
    order = [h.id for h in hits if h.id.startswith("t_")]
    assert order == ["t_strong", "t_lucky", "t_mediocre"]
    boost = {h.id: h.score - h.similarity for h in hits}
    assert boost["t_lucky"] < boost["t_strong"] / 2  # 2 of 3 sends is weak evidence
    assert boost["t_mediocre"] < 0
    flat = _retriever(kb13, tmp_path / "index", ranking=RankingParams(performance_weight=0))
    assert all(h.score == h.similarity for h in flat.retrieve(base.merchant_id, "x", 5))


def test_unknown_merchant_not_ready_and_wrong_embedder(
    kb13: KnowledgeBase, built: FaissRetriever
) -> None:
    with pytest.raises(NotFoundError, match="unknown merchant 'm_nope'"):
        built.retrieve("m_nope", "x", 3)
    cold = FaissRetriever(built.index_dir, kb13, HashingEmbedder())
    with pytest.raises(NotReadyError):
        cold.retrieve(kb13.merchants()[0].id, "x", 3)
    with pytest.raises(ConfigError, match="built with hashing-64/64"):
        FaissRetriever(built.index_dir, kb13, HashingEmbedder(dim=32)).warm_up()


def test_a_new_index_version_is_picked_up_while_serving(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    update_index(kb13, HashingEmbedder(), index_dir, IndexParams())
    retriever = _retriever(kb13, index_dir, reload_interval=0.0)
    before = retriever.version
    base = small_demo.past_offers[0]
    kb13.upsert(past_offers=[base.model_copy(update={"id": "fresh", "text": "Zebra stripes."})])
    assert "fresh" not in {h.id for h in retriever.retrieve(base.merchant_id, "zebra stripes", 3)}
    update_index(kb13, HashingEmbedder(), index_dir, IndexParams())
    time.sleep(0.01)
    assert retriever.retrieve(base.merchant_id, "zebra stripes", 1)[0].id == "fresh"
    assert retriever.version != before
