"""Shared fixtures: the real prepared model/knowledge base, and small fast stand-ins."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from offergen.config import Settings
from offergen.generation.profiles import load_profile
from offergen.guardrails.packs import Packs
from offergen.pipeline import Pipeline
from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.retrieval.demo_kb import generate_demo_kb
from offergen.retrieval.faiss_index import FaissRetriever, build_index
from offergen.retrieval.hashing_embedder import HashingEmbedder
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.store.jsonl_audit import JsonlAuditStore
from tests.doubles import ScriptedBackend


@pytest.fixture(scope="session")
def prepared_settings() -> Settings:
    """The data dir that `make install` prepares (model checkpoint, demo KB, index).

    Preparing is idempotent, so running pytest without `make install` first still works.
    """
    from offergen.generation.prepare import prepare
    from offergen.generation.profiles import load_profile
    from offergen.retrieval.seed import seed_knowledge_base

    settings = Settings()
    prepare(load_profile(settings.models_dir, "embedded"), settings.checkpoints_dir)
    seed_knowledge_base(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def real_settings(
    prepared_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """A private data dir that reads the prepared artefacts but writes (audit) only to tmp."""
    data_dir = tmp_path_factory.mktemp("data")
    for name in ("models", "kb", "index"):
        (data_dir / name).symlink_to(prepared_settings.data_dir / name)
    return Settings(data_dir=data_dir, seed=1234)


@pytest.fixture(scope="session")
def real_pipeline(real_settings: Settings) -> Iterator[object]:
    from offergen.pipeline import build_pipeline

    pipeline = build_pipeline(real_settings)
    pipeline.warm_up()
    yield pipeline


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


MakePipeline = Callable[..., tuple[Pipeline, ScriptedBackend]]


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Path]:
    demo = generate_demo_kb(n_merchants=3, offers_per_merchant=10)
    kb = KnowledgeBase(demo.merchants, demo.rules, demo.past_offers)
    index_dir = tmp_path_factory.mktemp("index") / "index"
    build_index(kb, HashingEmbedder(), index_dir)
    return kb, index_dir


@pytest.fixture
def make_pipeline(small_kb: tuple[KnowledgeBase, Path], tmp_path: Path) -> MakePipeline:
    kb, index_dir = small_kb
    repo_root = Path(__file__).resolve().parent.parent

    def make(texts: list[str], oversample: float = 1.0) -> tuple[Pipeline, ScriptedBackend]:
        backend = ScriptedBackend(texts)
        pipeline = Pipeline(
            kb=kb,
            retriever=FaissRetriever(index_dir, kb, HashingEmbedder()),
            renderer=JinjaPromptRenderer(repo_root / "prompts"),
            backend=backend,
            profile=load_profile(repo_root / "models", "embedded").model_copy(
                update={"oversample": oversample}
            ),
            packs=Packs(repo_root / "guardrails"),
            audit=JsonlAuditStore(tmp_path / "audit.jsonl"),
            template="offer_copy",
            retrieve_k=3,
            rules_k=2,
            max_attempts=3,
            seed=5,
        )
        pipeline.warm_up()
        return pipeline, backend

    return make
