"""`offergen kb seed`: write the demo knowledge base and bring its index up to date (idempotent)."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel

from offergen.demo.generator import generate_demo_kb
from offergen.demo.limits import GUARDRAILS_DIR
from offergen.retrieval.base import Embedder
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import IndexReport, update_index
from offergen.store.knowledge_base import KnowledgeBase, UpsertCounts

__all__ = ["SeedReport", "seed_knowledge_base"]


class SeedReport(BaseModel):
    database: str  # the URL without its password
    counts: dict[str, UpsertCounts]
    index: IndexReport
    seconds: float

    @property
    def changed(self) -> bool:
        return self.index.changed or any(c.inserted or c.updated for c in self.counts.values())


def seed_knowledge_base(
    kb: KnowledgeBase,
    embedder: Embedder,
    index_dir: Path,
    index_params: IndexParams,
    *,
    guardrails_dir: Path = GUARDRAILS_DIR,
    force: bool = False,
    progress: bool = True,
    seed: int = 7,
    n_merchants: int | None = None,
    offers_per_merchant: int | None = None,
) -> SeedReport:
    """Upsert the demo KB into `kb` and update the index under `index_dir`.

    When both already match, nothing is written and `embedder` is not asked for a vector (so a
    lazily loaded model is never loaded). `force` rebuilds the whole index (unchanged texts still
    come from the embedder's cache, if it has one). `guardrails_dir` is where the guard's channel
    limits, which the demo copy fits, are read.
    """
    started = time.perf_counter()
    demo = generate_demo_kb(
        seed,
        n_merchants=n_merchants,
        offers_per_merchant=offers_per_merchant,
        guardrails_dir=guardrails_dir,
    )
    counts = kb.upsert(demo.merchants, demo.rules, demo.past_offers)
    index = update_index(kb, embedder, index_dir, index_params, full=force, progress=progress)
    return SeedReport(
        database=kb.db.safe_url,
        counts=counts,
        index=index,
        seconds=round(time.perf_counter() - started, 3),
    )
