"""A real pipeline over a small knowledge base and its index, with whatever backend a test gives
(the templates, packs and profile are the repository's own)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from offergen.generation.base import Backend
from offergen.generation.profiles import load_profile
from offergen.grounding import Grounder
from offergen.guardrails.packs import Packs
from offergen.guardrails.preflight import Preflight
from offergen.guardrails.screener import Screener
from offergen.pipeline import Pipeline
from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.sql_audit import SqlAuditStore
from tests.support.doubles import ScriptedBackend
from tests.support.hashing_embedder import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]

# The `make_pipeline` fixture: `make(texts, oversample=1.0, template=...)` -> a pipeline over the
# small KB and the scripted backend that answers it (free-writing template unless told).
MakePipeline = Callable[..., tuple[Pipeline, ScriptedBackend]]


def build_pipeline(
    kb: KnowledgeBase,
    index_dir: Path,
    backend: Backend,
    *,
    oversample: float = 1.0,
    max_attempts: int = 3,
    audit_db: Database | None = None,
    template: str = "offer_copy_free",
) -> Pipeline:
    """Warmed up; the audit trail goes to `audit_db` (default: the knowledge base's database)."""
    profile = load_profile(REPO / "models", "embedded").model_copy(
        update={"oversample": oversample}
    )
    packs = Packs(REPO / "guardrails")
    pipeline = Pipeline(
        grounder=Grounder(
            kb=kb,
            retriever=FaissRetriever(index_dir, kb, HashingEmbedder()),
            renderer=JinjaPromptRenderer(REPO / "prompts"),
            screener=Screener(packs),
            preflight=Preflight(REPO / "guardrails"),
            profile=profile,
            template=template,
            retrieve_k=3,
            rules_k=2,
        ),
        backend=backend,
        profile=profile,
        packs=packs,
        audit=SqlAuditStore(audit_db or kb.db),
        max_attempts=max_attempts,
        seed=5,
    )
    pipeline.warm_up()
    return pipeline
