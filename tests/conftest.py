"""Shared fixtures: the real prepared model/knowledge base, and small fast stand-ins."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from offergen.config import Settings
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.guardrails.packs import Packs
from offergen.pipeline import Pipeline
from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.retrieval.demo_kb import DemoKB, generate_demo_kb
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.hashing_embedder import HashingEmbedder
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
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
    for name in ("models", "index"):
        (data_dir / name).symlink_to(prepared_settings.data_dir / name)
    return Settings(data_dir=data_dir, seed=1234, database_url=prepared_settings.db_url)


@pytest.fixture(scope="session")
def real_pipeline(real_settings: Settings, vllm_profile: ModelProfile) -> Iterator[object]:
    """The default profile's pipeline: the embedded model on the session's vLLM server."""
    from offergen.pipeline import build_pipeline

    assert real_settings.model_profile == vllm_profile.name
    pipeline = build_pipeline(real_settings)
    pipeline.warm_up()
    yield pipeline


@pytest.fixture(scope="session")
def vllm_profile(
    prepared_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModelProfile]:
    """A vLLM (CPU) server for the embedded-vllm profile, started once per session the way
    `offergen serve` starts it, or the one already serving its URL."""
    from offergen.generation.vllm_server import ManagedServer

    profile = load_profile(prepared_settings.models_dir, "embedded-vllm")
    log = tmp_path_factory.mktemp("vllm") / "server.log"
    server = ManagedServer(
        profile,
        prepared_settings.checkpoints_dir,
        prepared_settings.cache_dir / "vllm",
        log_path=log,
    )
    server.start()
    try:
        try:
            server.wait()
        except Exception:
            if log.exists():
                print(log.read_text(errors="replace")[-4000:])  # shown with the failing test
            raise
        yield profile
    finally:
        server.stop()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


MakePipeline = Callable[..., tuple[Pipeline, ScriptedBackend]]


# --- databases -----------------------------------------------------------------------------------

PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The PostgreSQL server the tests run against (`.ci/run` starts it when it is down)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable ({e}); start it or set PG_TEST_URL")
    finally:
        engine.dispose()
    return PG_URL


def _pg_database(url: str) -> Iterator[Database]:
    """A schema of its own per test, dropped afterwards: tests never see each other's rows."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(url, schema=schema)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on both databases the service supports."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'db' / 'kb.db'}")
        yield db
        db.dispose()
    else:
        yield from _pg_database(request.getfixturevalue("pg_url"))


def load_kb(db: Database, demo: DemoKB) -> KnowledgeBase:
    kb = KnowledgeBase(db)
    kb.create_schema()
    kb.upsert(demo.merchants, demo.rules, demo.past_offers)
    return kb


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Path]:
    demo = generate_demo_kb(n_merchants=3, offers_per_merchant=10)
    tmp = tmp_path_factory.mktemp("small_kb")
    kb = load_kb(Database(f"sqlite:///{tmp / 'kb.db'}"), demo)
    update_index(kb, HashingEmbedder(), tmp / "index", IndexParams())
    return kb, tmp / "index"


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
            audit=SqlAuditStore(kb.db),
            template="offer_copy",
            retrieve_k=3,
            rules_k=2,
            max_attempts=3,
            seed=5,
        )
        pipeline.warm_up()
        return pipeline, backend

    return make
