"""Shared fixtures: the real prepared model/knowledge base, and small fast stand-ins."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from offergen.app_context import AppContext, open_context
from offergen.config import Settings
from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.pipeline import Pipeline
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.databases import PG_URL, load_kb, pg_database
from tests.support.doubles import ScriptedBackend
from tests.support.hashing_embedder import HashingEmbedder
from tests.support.pipelines import MakePipeline, build_pipeline


@pytest.fixture(scope="session")
def prepared_settings() -> Settings:
    """The data dir that `make install` prepares (model checkpoint, demo KB, index).

    Preparing is idempotent, so running pytest without `make install` first still works.
    """
    from offergen.app_context import embedder
    from offergen.demo.seed import seed_knowledge_base
    from offergen.generation.prepare import prepare
    from offergen.generation.profiles import load_profile

    settings = Settings()
    prepare(load_profile(settings.models_dir, "embedded"), settings.checkpoints_dir)
    database = Database(settings.db_url)
    database.create_schema()
    seed_knowledge_base(
        KnowledgeBase(database),
        embedder(settings),
        settings.index_dir,
        settings.index,
        guardrails_dir=settings.guardrails_dir,
        progress=False,
    )
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
def real_context(real_settings: Settings, vllm_profile: ModelProfile) -> Iterator[AppContext]:
    """The default profile's context: the embedded model on the session's vLLM server."""
    assert real_settings.model_profile == vllm_profile.name
    with open_context(real_settings) as ctx:
        ctx.pipeline.warm_up()
        yield ctx


@pytest.fixture(scope="session")
def real_pipeline(real_context: AppContext) -> Pipeline:
    return real_context.pipeline


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


# --- databases -----------------------------------------------------------------------------------


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on both databases the service supports."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'db' / 'kb.db'}")
        yield db
        db.dispose()
    else:
        yield from pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Path]:
    demo = generate_demo_kb(n_merchants=3, offers_per_merchant=10)
    tmp = tmp_path_factory.mktemp("small_kb")
    kb = load_kb(Database(f"sqlite:///{tmp / 'kb.db'}"), demo)
    update_index(kb, HashingEmbedder(), tmp / "index", IndexParams())
    return kb, tmp / "index"


@pytest.fixture
def make_pipeline(small_kb: tuple[KnowledgeBase, Path]) -> MakePipeline:
    kb, index_dir = small_kb

    def make(
        texts: list[str], oversample: float = 1.0, template: str = "offer_copy_free"
    ) -> tuple[Pipeline, ScriptedBackend]:
        backend = ScriptedBackend(texts)
        pipeline = build_pipeline(kb, index_dir, backend, oversample=oversample, template=template)
        return pipeline, backend

    return make


@pytest.fixture(scope="session")
def small_demo() -> DemoKB:
    # one merchant per category (13), enough offers for isolation and channel tests
    return generate_demo_kb(n_merchants=13, offers_per_merchant=24)


@pytest.fixture
def kb13(small_demo: DemoKB, database: Database) -> KnowledgeBase:
    """The 13-merchant demo KB, on SQLite and on PostgreSQL."""
    return load_kb(database, small_demo)
