"""`seed_knowledge_base` end to end with the real MiniLM embedder, on a reduced demo KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.config import Settings
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_index import FaissRetriever, offer_query
from offergen.retrieval.hashing_embedder import HashingEmbedder
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.retrieval.seed import SeedReport, seed_knowledge_base
from offergen.schemas import Channel


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
    assert not first.skipped
    assert first.counts["merchants"] == 13 and first.counts["past_offers"] == 78
    assert first.encoded == 78
    assert (settings.kb_dir / "manifest.json").is_file()
    assert (settings.index_dir / "index.faiss").is_file()

    kb = KnowledgeBase.load(settings.kb_dir)
    assert kb.version == first.kb_version
    retriever = FaissRetriever(settings.index_dir, kb, MiniLMEmbedder())
    retriever.warm_up()
    merchant = kb.merchants()[0]
    offer = kb.past_offers(merchant.id)[0]
    hits = retriever.retrieve(merchant.id, offer_query(offer.offer, Channel.sms, "general"), 3)
    assert len(hits) == 3
    assert all(h.offer.merchant_id == merchant.id or h.offer.shareable for h in hits)

    # Up to date: returns without loading the model (or writing anything).
    monkeypatch.setattr(MiniLMEmbedder, "warm_up", _no_model)
    stamp = (settings.index_dir / "meta.json").stat().st_mtime_ns
    second = _seed_small(settings)
    assert second.skipped and second.kb_version == first.kb_version
    assert (settings.index_dir / "meta.json").stat().st_mtime_ns == stamp

    # Forced rebuild: every text is in the embedding cache, so the model is still not needed.
    third = _seed_small(settings, force=True)
    assert not third.skipped and third.encoded == 0


def test_a_different_kb_or_embedder_triggers_a_rebuild(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    emb = HashingEmbedder()
    a = seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=2)
    assert not a.skipped
    assert seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=2).skipped
    b = seed_knowledge_base(settings, progress=False, embedder=emb, n_merchants=3)
    assert not b.skipped and b.kb_version != a.kb_version
    c = seed_knowledge_base(settings, progress=False, embedder=HashingEmbedder(32), n_merchants=3)
    assert not c.skipped
