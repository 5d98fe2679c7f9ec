"""`seed_knowledge_base` end to end with the real MiniLM embedder, on a reduced demo KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.config import Settings
from offergen.retrieval.documents import offer_query
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.hashing_embedder import HashingEmbedder
from offergen.retrieval.seed import SeedReport, seed_knowledge_base
from offergen.retrieval.wiring import open_knowledge_base
from offergen.schemas import Channel, SourceKind


def _seed_small(settings: Settings, force: bool = False) -> SeedReport:
    return seed_knowledge_base(
        settings, force=force, progress=False, n_merchants=13, offers_per_merchant=6
    )


def _no_model(self: MiniLMEmbedder) -> None:
    raise AssertionError("the model must not be loaded")


def test_seed_then_noop_then_cached_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path)
    first = _seed_small(settings)
    assert first.changed and first.index.changed
    assert first.counts["merchants"].inserted == 13
    assert first.counts["past_offers"].inserted == 78
    assert first.index.count == 78 + first.counts["rules"].inserted
    assert (tmp_path / "offergen.db").is_file()

    kb = open_knowledge_base(settings)
    retriever = FaissRetriever(settings.index_dir, kb, MiniLMEmbedder())
    retriever.warm_up()
    merchant = kb.merchants()[0]
    offer = kb.past_offers(merchant.id)[0]
    query = offer_query(offer.offer, Channel.sms, "general")
    hits = retriever.retrieve(merchant.id, query, 3, kind=SourceKind.past_offer)
    assert len(hits) == 3
    assert all(h.merchant_id == merchant.id or h.shareable for h in hits)

    # Up to date: returns without loading the model (or writing anything).
    monkeypatch.setattr(MiniLMEmbedder, "warm_up", _no_model)
    stamp = (settings.index_dir / "meta.json").stat().st_mtime_ns
    second = _seed_small(settings)
    assert not second.changed and second.index.encoded == 0
    assert second.counts["past_offers"].unchanged == 78
    assert (settings.index_dir / "meta.json").stat().st_mtime_ns == stamp

    # Forced rebuild: every text is in the embedding cache, so the model is still not needed.
    third = _seed_small(settings, force=True)
    assert third.index.rebuilt == third.index.partitions
    assert third.index.version == first.index.version


def test_a_different_kb_or_embedder_updates_the_index(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    emb = HashingEmbedder()
    a = seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=2)
    assert a.changed
    assert not seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=2).changed
    b = seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=3)
    assert b.changed and b.index.version != a.index.version
    # the first two merchants' partitions are reused, the shared one only gains items, and
    # only the new merchant's two partitions (rules, offers) are built
    assert (b.index.kept, b.index.extended, b.index.rebuilt) == (a.index.partitions - 1, 1, 2)
    c = seed_knowledge_base(settings, progress=False, embedder=HashingEmbedder(32), n_merchants=3)
    assert c.index.changed and c.index.rebuilt == c.index.partitions
