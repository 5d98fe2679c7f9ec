"""`offergen kb seed`: write the demo knowledge base and bring its index up to date (idempotent)."""

from __future__ import annotations

import time

from pydantic import BaseModel

from offergen.config import Settings
from offergen.retrieval.base import Embedder
from offergen.retrieval.demo_kb import generate_demo_kb
from offergen.retrieval.index_store import IndexReport, update_index
from offergen.retrieval.knowledge_base import UpsertCounts
from offergen.retrieval.wiring import make_embedder, open_knowledge_base

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
    settings: Settings,
    force: bool = False,
    progress: bool = True,
    *,
    seed: int = 7,
    n_merchants: int | None = None,
    offers_per_merchant: int | None = None,
    embedder: Embedder | None = None,
) -> SeedReport:
    """Upsert the demo KB into the database and update the index under `settings.index_dir`.

    When both already match, nothing is written and the embedding model is not loaded. `force`
    rebuilds the whole index (unchanged texts still come from the embedding cache).
    """
    started = time.perf_counter()
    demo = generate_demo_kb(seed, n_merchants=n_merchants, offers_per_merchant=offers_per_merchant)
    kb = open_knowledge_base(settings)
    counts = kb.upsert(demo.merchants, demo.rules, demo.past_offers)
    index = update_index(
        kb,
        embedder or make_embedder(settings),
        settings.index_dir,
        settings.index,
        full=force,
        progress=progress,
    )
    return SeedReport(
        database=kb.db.safe_url,
        counts=counts,
        index=index,
        seconds=round(time.perf_counter() - started, 3),
    )
