"""`offergen kb seed`: write the demo knowledge base and build its index (idempotent)."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel

from offergen.config import Settings
from offergen.retrieval.base import Embedder
from offergen.retrieval.demo_kb import generate_demo_kb
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_index import INDEX_FILE, build_index, embedder_id, read_index_meta
from offergen.retrieval.knowledge_base import KnowledgeBase, read_manifest

__all__ = ["SeedReport", "seed_knowledge_base"]


class SeedReport(BaseModel):
    kb_dir: Path
    index_dir: Path
    kb_version: str
    counts: dict[str, int]
    skipped: bool  # True: KB and index were already up to date, nothing was written
    encoded: int | None = None  # texts that went through the model (None: unknown/skipped)
    seconds: float


def seed_knowledge_base(
    settings: Settings,
    force: bool = False,
    progress: bool = True,
    *,
    seed: int = 7,
    n_merchants: int | None = None,
    offers_per_merchant: int | None = None,
    embedder: Embedder | None = None,
) -> SeedReport:
    """Generate the demo KB into `settings.kb_dir` and index it into `settings.index_dir`.

    When the saved manifest and the index meta already match the KB that would be written (and
    the embedder), returns at once without loading the model, unless `force`. Re-encoding is
    avoided on rebuilds by MiniLMEmbedder's cache under `settings.cache_dir / "embeddings"`.
    """
    started = time.perf_counter()
    demo = generate_demo_kb(seed, n_merchants=n_merchants, offers_per_merchant=offers_per_merchant)
    kb = KnowledgeBase(demo.merchants, demo.rules, demo.past_offers)
    if embedder is None:
        embedder = MiniLMEmbedder(cache_dir=settings.cache_dir / "embeddings", show_progress=False)
    kb_dir, index_dir = settings.kb_dir, settings.index_dir

    manifest = read_manifest(kb_dir)
    meta = read_index_meta(index_dir)
    up_to_date = (
        manifest is not None
        and manifest.get("version") == kb.version
        and meta is not None
        and meta.kb_version == kb.version
        and meta.embedder == embedder_id(embedder)
        and meta.dim == embedder.dim
        and (index_dir / INDEX_FILE).is_file()
    )
    if up_to_date and not force:
        return SeedReport(
            kb_dir=kb_dir,
            index_dir=index_dir,
            kb_version=kb.version,
            counts=kb.counts(),
            skipped=True,
            seconds=time.perf_counter() - started,
        )

    before = getattr(embedder, "model_encoded", None)
    kb.save(kb_dir)
    build_index(kb, embedder, index_dir, progress=progress)
    after = getattr(embedder, "model_encoded", None)
    return SeedReport(
        kb_dir=kb_dir,
        index_dir=index_dir,
        kb_version=kb.version,
        counts=kb.counts(),
        skipped=False,
        encoded=after - before if isinstance(before, int) and isinstance(after, int) else None,
        seconds=time.perf_counter() - started,
    )
