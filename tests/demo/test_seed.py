"""`seed_knowledge_base` end to end with the real MiniLM embedder, on a reduced demo KB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offergen.demo.seed import SeedReport, seed_knowledge_base
from offergen.retrieval.base import Embedder
from offergen.retrieval.documents import offer_query
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.index_factory import IndexParams
from offergen.schemas import Channel, SourceKind
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.hashing_embedder import HashingEmbedder


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    db = Database(f"sqlite:///{tmp_path / 'offergen.db'}")
    db.create_schema()
    yield KnowledgeBase(db)
    db.dispose()


def _seed(
    kb: KnowledgeBase, index_dir: Path, embedder: Embedder, force: bool = False, **sizes: int
) -> SeedReport:
    return seed_knowledge_base(
        kb, embedder, index_dir, IndexParams(), force=force, progress=False, **sizes
    )


def _no_model(self: MiniLMEmbedder) -> None:
    raise AssertionError("the model must not be loaded")


def test_seed_then_noop_then_cached_rebuild(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"

    def seed_small(force: bool = False) -> SeedReport:
        # a fresh embedder each time, as the CLI makes one: what it reuses is its disk cache
        embedder = MiniLMEmbedder(cache_dir=tmp_path / "embeddings")
        return _seed(kb, index_dir, embedder, force, n_merchants=13, offers_per_merchant=6)

    first = seed_small()
    assert first.changed and first.index.changed
    assert first.counts["merchants"].inserted == 13
    assert first.counts["past_offers"].inserted == 78
    assert first.index.count == 78 + first.counts["rules"].inserted

    retriever = FaissRetriever(index_dir, kb, MiniLMEmbedder())
    retriever.warm_up()
    merchant = kb.merchants()[0]
    offer = kb.past_offers(merchant.id)[0]
    query = offer_query(offer.offer, Channel.sms, "general")
    hits = retriever.retrieve(merchant.id, query, 3, kind=SourceKind.past_offer)
    assert len(hits) == 3
    assert all(h.merchant_id == merchant.id or h.shareable for h in hits)

    # Up to date: returns without loading the model (or writing anything).
    monkeypatch.setattr(MiniLMEmbedder, "warm_up", _no_model)
    stamp = (index_dir / "meta.json").stat().st_mtime_ns
    second = seed_small()
    assert not second.changed and second.index.encoded == 0
    assert second.counts["past_offers"].unchanged == 78
    assert (index_dir / "meta.json").stat().st_mtime_ns == stamp

    # Forced rebuild: every text is in the embedding cache, so the model is still not needed.
    third = seed_small(force=True)
    assert third.index.rebuilt == third.index.partitions
    assert third.index.version == first.index.version


def test_a_different_kb_or_embedder_updates_the_index(kb: KnowledgeBase, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    emb = HashingEmbedder()
    a = _seed(kb, index_dir, emb, n_merchants=2)
    assert a.changed
    assert not _seed(kb, index_dir, emb, n_merchants=2).changed
    b = _seed(kb, index_dir, emb, n_merchants=3)
    assert b.changed and b.index.version != a.index.version
    # the first two merchants' partitions are reused, the shared one only gains items, and
    # only the new merchant's two partitions (rules, offers) are built
    assert (b.index.kept, b.index.extended, b.index.rebuilt) == (a.index.partitions - 1, 1, 2)
    c = _seed(kb, index_dir, HashingEmbedder(32), n_merchants=3)
    assert c.index.changed and c.index.rebuilt == c.index.partitions
