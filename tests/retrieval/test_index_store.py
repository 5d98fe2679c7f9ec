"""The partitioned index on disk: incremental updates, atomic swaps, crashes mid-build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from offergen.demo.generator import DemoKB
from offergen.errors import ConfigError
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import (
    SHARED,
    index_stats,
    load_index,
    partition_key,
    read_index_meta,
    update_index,
)
from offergen.schemas import SourceKind
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.hashing_embedder import HashingEmbedder

PARAMS = IndexParams()


def _leftovers(parent: Path) -> list[str]:
    """Temp or old index dirs a build left behind (they start with a dot)."""
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


class FailingEmbedder(HashingEmbedder):
    """Fails on its n-th encode call: a build that dies half way through."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.encode_calls + 1 == self.fail_on:
            raise RuntimeError("embedder died")
        return super().encode(texts)


def test_partitions_isolate_merchants(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    report = update_index(kb13, HashingEmbedder(), tmp_path / "index", PARAMS)
    assert report.changed and report.rebuilt == report.partitions and report.kept == 0
    assert report.count == len(small_demo.rules) + len(small_demo.past_offers)
    assert report.kinds == {"flat": report.partitions}
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == [
        "items.json",
        "meta.json",
        "partitions.npz",
    ]
    assert not _leftovers(tmp_path)
    loaded = load_index(tmp_path / "index", PARAMS)
    assert loaded.meta == read_index_meta(tmp_path / "index")
    shared = {p.id for p in small_demo.past_offers if p.shareable}
    assert set(loaded.partitions[SHARED].ids) == shared
    for m in small_demo.merchants:
        own = loaded.partitions[partition_key(m.id, SourceKind.past_offer)].ids
        assert set(own) == {
            p.id for p in small_demo.past_offers if p.merchant_id == m.id and not p.shareable
        }
        rules = loaded.partitions[partition_key(m.id, SourceKind.merchant_rule)].ids
        assert set(rules) == {r.id for r in small_demo.rules if r.merchant_id == m.id}
    stats = index_stats(tmp_path / "index", PARAMS)
    assert stats["count"] == report.count and stats["shared_items"] == len(shared)


def test_update_touches_only_what_changed(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    first = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    stamp = (index_dir / "meta.json").stat().st_mtime_ns

    same = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    assert not same.changed and same.encoded == 0 and same.kept == first.partitions
    assert (index_dir / "meta.json").stat().st_mtime_ns == stamp

    target = next(p for p in small_demo.past_offers if not p.shareable)
    new = target.model_copy(update={"id": "aa_new", "text": "Brand new copy."})
    kb13.upsert(past_offers=[new])
    added = update_index(kb13, emb := HashingEmbedder(), index_dir, PARAMS)
    assert (added.extended, added.rebuilt, added.encoded) == (1, 0, 1)
    assert emb.encoded_texts == 1
    assert added.version != first.version

    kb13.upsert(past_offers=[target.model_copy(update={"text": "Edited copy."})])
    edited = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    own = len(kb13.past_offers(target.merchant_id)) - sum(
        p.shareable for p in kb13.past_offers(target.merchant_id)
    )
    assert (edited.rebuilt, edited.extended, edited.encoded) == (1, 0, own)

    full = update_index(kb13, HashingEmbedder(), index_dir, PARAMS, full=True)
    assert full.rebuilt == full.partitions and full.version == edited.version

    other = update_index(kb13, HashingEmbedder(dim=32), index_dir, PARAMS)
    assert other.changed and other.rebuilt == other.partitions


def test_a_partition_outgrowing_exact_search_becomes_approximate(
    kb13: KnowledgeBase, tmp_path: Path
) -> None:
    small = IndexParams(exact_max=20)
    report = update_index(kb13, HashingEmbedder(), tmp_path / "index", small)
    assert set(report.kinds) == {"flat", small.ann}


def test_failed_build_keeps_the_old_index_serving(
    kb13: KnowledgeBase, small_demo: DemoKB, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    old = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    kb13.upsert(
        past_offers=[
            p.model_copy(update={"text": p.text + " Now."}) for p in small_demo.past_offers
        ]
    )
    with pytest.raises(RuntimeError, match="embedder died"):
        update_index(kb13, FailingEmbedder(fail_on=2), index_dir, PARAMS, batch_size=50)
    assert load_index(index_dir, PARAMS).meta.version == old.version
    assert not _leftovers(tmp_path)
    new = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    assert new.changed and load_index(index_dir, PARAMS).meta.version == new.version != old.version


def test_interrupted_swap_and_corrupt_index(kb13: KnowledgeBase, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    built = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    os.replace(index_dir, tmp_path / ".index.old-deadbeef")  # crash between the two renames
    assert load_index(index_dir, PARAMS).meta.version == built.version
    (index_dir / "partitions.npz").write_bytes(b"garbage")
    with pytest.raises(ConfigError, match="unreadable"):
        load_index(index_dir, PARAMS)
    repaired = update_index(kb13, HashingEmbedder(), index_dir, PARAMS)
    assert repaired.changed and repaired.rebuilt == repaired.partitions
    assert load_index(index_dir, PARAMS).meta.version == built.version
    with pytest.raises(ConfigError, match="no index"):
        load_index(tmp_path / "nowhere", PARAMS)


def test_importing_retrieval_modules_is_cheap() -> None:
    code = (
        "import sys\n"
        "import offergen.retrieval.index_store, offergen.retrieval.faiss_retriever\n"
        "import offergen.demo.seed, offergen.retrieval.importer, offergen.retrieval.embedder\n"
        "heavy = [m for m in ('faiss', 'torch', 'sentence_transformers') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
