"""FAISS index build/swap and the tenant-isolated retriever, with the hashing embedder."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from offergen.errors import ConfigError, NotFoundError, NotReadyError
from offergen.retrieval.faiss_index import (
    FaissRetriever,
    build_index,
    offer_document,
    offer_query,
    read_index_meta,
)
from offergen.retrieval.hashing_embedder import HashingEmbedder
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.schemas import Channel, OfferTerms


@pytest.fixture
def built(kb13: KnowledgeBase, tmp_path: Path) -> FaissRetriever:
    index_dir = tmp_path / "index"
    build_index(kb13, HashingEmbedder(), index_dir, batch_size=50)
    retriever = FaissRetriever(index_dir, kb13, HashingEmbedder())
    retriever.warm_up()
    return retriever


class FailingEmbedder(HashingEmbedder):
    """Fails on its n-th encode call: a build that dies half way through."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.encode_calls + 1 == self.fail_on:
            raise RuntimeError("embedder died")
        return super().encode(texts)


def test_build_writes_index_ids_and_meta(kb13: KnowledgeBase, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    meta = build_index(kb13, HashingEmbedder(), index_dir)
    assert sorted(p.name for p in index_dir.iterdir()) == ["ids.json", "index.faiss", "meta.json"]
    assert meta == read_index_meta(index_dir)
    assert (meta.kb_version, meta.dim, meta.count) == (kb13.version, 64, 312)
    assert meta.embedder == "hashing-64"
    ids = json.loads((index_dir / "ids.json").read_text())
    assert ids == [p.id for p in kb13.past_offers()]
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # no temp dirs left


def test_isolation_across_many_random_queries(built: FaissRetriever, kb13: KnowledgeBase) -> None:
    rng = random.Random(0)
    offers = kb13.past_offers()
    merchants = [m.id for m in kb13.merchants()]
    foreign_shared_seen = 0
    for _ in range(300):
        mid = rng.choice(merchants)
        # queries aimed squarely at other merchants' copy are the hardest case
        query = offer_document(rng.choice(offers)) if rng.random() < 0.7 else "cash back points"
        channel = rng.choice([None, *Channel])
        hits = built.retrieve(mid, query, rng.randint(1, 40), channel=channel)
        for h in hits:
            assert h.offer.merchant_id == mid or h.offer.shareable, (mid, h.offer.id)
            foreign_shared_seen += h.offer.merchant_id != mid
    assert foreign_shared_seen > 0  # shareable offers of others do show up


def test_exact_copy_of_a_foreign_offer(built: FaissRetriever, kb13: KnowledgeBase) -> None:
    me = kb13.merchants()[0].id
    foreign = [p for p in kb13.past_offers() if p.merchant_id != me]
    private = next(p for p in foreign if not p.shareable)
    shared = next(p for p in foreign if p.shareable)
    assert private.id not in {h.offer.id for h in built.retrieve(me, offer_document(private), 50)}
    top = built.retrieve(me, offer_document(shared), 3)[0]
    assert top.offer.id == shared.id and top.score == pytest.approx(1.0, abs=1e-5)


def test_own_offer_is_found_first_and_scores_descend(
    built: FaissRetriever, kb13: KnowledgeBase
) -> None:
    target = kb13.past_offers()[40]
    hits = built.retrieve(target.merchant_id, offer_document(target), 6)
    assert hits[0].offer.id == target.id
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_k_is_respected(built: FaissRetriever, kb13: KnowledgeBase) -> None:
    mid = kb13.merchants()[3].id
    allowed = {p.id for p in kb13.past_offers() if p.merchant_id == mid or p.shareable}
    for k in (1, 4, 10):
        assert len(built.retrieve(mid, "discount", k)) == k
        assert len(built.retrieve(mid, "discount", k, channel=Channel.sms)) == k
    everything = built.retrieve(mid, "discount", 10_000)
    assert {h.offer.id for h in everything} == allowed
    with pytest.raises(ValueError):
        built.retrieve(mid, "discount", 0)


def test_channel_is_preferred(built: FaissRetriever, kb13: KnowledgeBase) -> None:
    improved = 0
    for m in kb13.merchants():
        query = "cash back on your next order"
        plain = built.retrieve(m.id, query, 4)
        for channel in Channel:
            hits = built.retrieve(m.id, query, 4, channel=channel)
            flags = [h.offer.channel is channel for h in hits]
            assert flags == sorted(flags, reverse=True)  # same channel first
            same = sum(flags)
            assert same >= sum(h.offer.channel is channel for h in plain)
            improved += same > sum(h.offer.channel is channel for h in plain)
    assert improved > 0


def test_unknown_merchant_and_not_ready(kb13: KnowledgeBase, built: FaissRetriever) -> None:
    with pytest.raises(NotFoundError, match="unknown merchant 'm_nope'"):
        built.retrieve("m_nope", "x", 3)
    cold = FaissRetriever(built.index_dir, kb13, HashingEmbedder())
    with pytest.raises(NotReadyError):
        cold.retrieve(kb13.merchants()[0].id, "x", 3)
    mid = kb13.merchants()[0].id
    assert built.retrieve_rules(mid) == kb13.rules(mid)
    both = built.retrieve_all(mid, "points", 2, rules_k=2)
    assert len(both.past_offers) == 2 and both.rules == kb13.rules(mid)[:2]


def test_missing_and_stale_index_are_config_errors(kb13: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="offergen kb seed"):
        FaissRetriever(tmp_path / "none", kb13, HashingEmbedder()).warm_up()
    index_dir = tmp_path / "index"
    build_index(kb13, HashingEmbedder(), index_dir)
    changed = KnowledgeBase(
        kb13.merchants(),
        [r for m in kb13.merchants() for r in kb13.rules(m.id)],
        kb13.past_offers()[:-1],
    )
    with pytest.raises(ConfigError, match="index is stale, run `offergen kb seed`"):
        FaissRetriever(index_dir, changed, HashingEmbedder()).warm_up()
    with pytest.raises(ConfigError, match="index is stale"):
        FaissRetriever(index_dir, kb13, HashingEmbedder(dim=32)).warm_up()


def test_failed_build_keeps_the_old_index_serving(kb13: KnowledgeBase, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    old_meta = build_index(kb13, HashingEmbedder(), index_dir)
    smaller = KnowledgeBase(kb13.merchants(), [], kb13.past_offers()[:200])
    with pytest.raises(RuntimeError, match="embedder died"):
        build_index(smaller, FailingEmbedder(fail_on=3), index_dir, batch_size=50)
    assert read_index_meta(index_dir) == old_meta
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # temp dir cleaned up
    retriever = FaissRetriever(index_dir, kb13, HashingEmbedder())
    retriever.warm_up()
    assert retriever.retrieve(kb13.merchants()[0].id, "points", 3)
    # and a successful rebuild replaces it
    new_meta = build_index(smaller, HashingEmbedder(), index_dir)
    assert read_index_meta(index_dir) == new_meta != old_meta
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


def test_interrupted_swap_is_recovered(built: FaissRetriever, kb13: KnowledgeBase) -> None:
    index_dir = built.index_dir
    os.replace(index_dir, index_dir.parent / ".index.old-deadbeef")  # crash between the renames
    retriever = FaissRetriever(index_dir, kb13, HashingEmbedder())
    retriever.warm_up()
    assert retriever.retrieve(kb13.merchants()[0].id, "points", 2)


def test_query_and_document_texts(kb13: KnowledgeBase) -> None:
    p = kb13.past_offers()[0]
    doc = offer_document(p)
    assert p.offer.kind.value in doc and p.channel.value in doc and p.segment in doc
    assert doc.endswith(p.text)
    terms = OfferTerms.model_validate(
        {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent",
         "min_spend": 50, "cap": 25, "valid_until": "2026-12-31"}
    )  # fmt: skip
    q = offer_query(terms, Channel.sms, "families")
    assert q == (
        "cashback offer | sms | segment: families | 10% cashback at FreshMart; "
        "10% cashback; min spend $50; max $25; until Dec 31, 2026"
    )
    eur = OfferTerms.model_validate(terms.model_dump() | {"currency": "EUR", "kind": "discount"})
    assert "€50" in offer_query(eur, Channel.email, "general")


def test_importing_retrieval_modules_is_cheap() -> None:
    code = (
        "import sys\n"
        "import offergen.retrieval.faiss_index, offergen.retrieval.embedder\n"
        "import offergen.retrieval.seed, offergen.retrieval.knowledge_base\n"
        "heavy = [m for m in ('faiss', 'torch', 'sentence_transformers') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
