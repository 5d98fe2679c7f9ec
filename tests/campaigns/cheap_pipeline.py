"""A real pipeline with a fast, steady model, buildable from a database URL and an index path,
so that worker subprocesses and Ray actors can build the same one the test process uses."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from offergen.campaigns.job_store import CampaignStore
from offergen.demo.generator import generate_demo_kb
from offergen.generation.base import Completion, GenerationParams, GenerationResult
from offergen.pipeline import Pipeline
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.schemas import GenerateRequest
from offergen.store.database import Database
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.hashing_embedder import HashingEmbedder
from tests.support.pipelines import build_pipeline

REPO = Path(__file__).resolve().parents[2]
RELEASABLE = "Get 10% cashback at FreshMart. Terms apply."


class SteadyBackend:
    """Answers every prompt with the same releasable copy after `delay` seconds, and records
    how many calls were in flight at once."""

    name = "steady"
    model_id = "steady-model"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        pass

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
        finally:
            with self._lock:
                self.in_flight -= 1
        done = [Completion(text=RELEASABLE, finish_reason="stop", completion_tokens=8)] * params.n
        return GenerationResult(
            completions=done, prompt_tokens=10, completion_tokens=8 * params.n, elapsed_ms=0.0
        )


def seed_kb(db: Database, index_dir: Path) -> KnowledgeBase:
    """The small demo KB (acme: m_freshmart, m_skyhop_airways; globex: m_bella_forno)."""
    demo = generate_demo_kb(n_merchants=3, offers_per_merchant=10)
    kb = KnowledgeBase(db)
    kb.create_schema()
    kb.upsert(demo.merchants, demo.rules, demo.past_offers)
    update_index(kb, HashingEmbedder(), index_dir, IndexParams())
    return kb


def cheap_pipeline(db: Database, index_dir: Path, backend: Any) -> Pipeline:
    return build_pipeline(KnowledgeBase(db), index_dir, backend, max_attempts=1)


def slot_at(
    url: str, schema: str | None, index_dir: str, delay: float
) -> tuple[CampaignStore, Pipeline]:
    """What a worker in another process (a subprocess, a Ray actor) runs with: the job store and
    the cheap pipeline, from picklable arguments only."""
    db = Database(url, schema=schema)
    return CampaignStore(db), cheap_pipeline(db, Path(index_dir), SteadyBackend(delay))


def request(i: int = 0, merchant: str = "m_freshmart", **over: Any) -> GenerateRequest:
    body: dict[str, Any] = {
        "merchant_id": merchant,
        "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"},
        "customer": {"segment": f"segment-{i}"},
        "channel": "sms",
        "variants": 1,
    }
    return GenerateRequest.model_validate(body | over)


def db_args(db: Database) -> tuple[str, str | None]:
    """URL (with its password: test databases only) and schema of `db`, to rebuild it elsewhere."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.dialect != "postgresql":
        return url, None
    with db.read() as s:
        return url, s.execute(text("SELECT current_schema()")).scalar_one()
