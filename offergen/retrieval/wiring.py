"""The retrieval stage wired from settings, in one place (the pipeline, CLI and API use it)."""

from __future__ import annotations

from offergen.config import Settings
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.store.database import Database

__all__ = ["make_embedder", "make_retriever", "open_knowledge_base"]


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base in the configured database, its tables created if missing."""
    kb = KnowledgeBase(Database(settings.db_url))
    kb.create_schema()
    return kb


def make_embedder(settings: Settings, *, cached: bool = True) -> MiniLMEmbedder:
    """`cached`: keep vectors by content hash so index rebuilds skip unchanged text. Serving
    leaves it off: one-off queries would only grow the cache and add a disk round trip."""
    return MiniLMEmbedder(cache_dir=settings.cache_dir / "embeddings" if cached else None)


def make_retriever(settings: Settings, kb: KnowledgeBase) -> FaissRetriever:
    return FaissRetriever(
        settings.index_dir,
        kb,
        make_embedder(settings, cached=False),
        index_params=settings.index,
        ranking=settings.ranking,
    )
