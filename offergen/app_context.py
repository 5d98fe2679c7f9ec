"""The one assembly point: every store and stage, built once from `Settings`.

`open_context(settings)` is what the API (`create_app`), every CLI command, the eval workspace and
the campaign workers start from. It is the only reader of `Settings` besides the CLI's option
parsing: the stages receive parameter objects. Cheap: it opens (and migrates) the database and
reads small files; models and the index load in `pipeline.warm_up()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.service import Admission, Campaigns
from offergen.config import Settings
from offergen.experiments.service import Experiments
from offergen.generation.factory import make_backend
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.generation.vllm_server import ManagedServer
from offergen.grounding import Grounder
from offergen.guardrails.packs import Packs
from offergen.guardrails.preflight import Preflight
from offergen.guardrails.screener import Screener
from offergen.guardrails.semantic import shared_encoder
from offergen.limits import ApiLimits
from offergen.outcomes.promotion import Promoter
from offergen.outcomes.service import Outcomes
from offergen.pipeline import Pipeline
from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.retrieval.embedder import MiniLMEmbedder
from offergen.retrieval.faiss_retriever import FaissRetriever
from offergen.retrieval.index_updater import IndexUpdater
from offergen.store.database import Database
from offergen.store.experiment_store import ExperimentStore
from offergen.store.idempotency import IdempotencyStore
from offergen.store.keys import KeyStore
from offergen.store.knowledge_base import KnowledgeBase
from offergen.store.outcome_log import OutcomeLog
from offergen.store.promotions import Promotions
from offergen.store.rate_limits import RateLimiter
from offergen.store.review_queue import ReviewQueue
from offergen.store.sql_audit import SqlAuditStore

__all__ = [
    "AppContext",
    "assemble",
    "campaign_slot",
    "embedder",
    "learning",
    "open_context",
    "request_stores",
]


@dataclass
class AppContext:
    settings: Settings
    database: Database
    kb: KnowledgeBase
    packs: Packs
    screener: Screener
    pipeline: Pipeline
    audit: SqlAuditStore
    keys: KeyStore
    reviews: ReviewQueue
    campaigns: Campaigns
    idempotency: IdempotencyStore
    rate_limits: RateLimiter
    outcomes: Outcomes
    experiments: Experiments
    indexer: IndexUpdater | None = None
    # Whether a server built on this context starts what settings ask for beside the API (the
    # vLLM server, campaign workers); off for a context assembled around given parts (tests).
    background: bool = False

    @property
    def profile(self) -> ModelProfile:
        return self.pipeline.profile

    def llm_server(self, log_path: Path | None = None) -> ManagedServer | None:
        """The vLLM server this context's backend talks to, to be started (it reuses one already
        serving the profile's URL); None unless the backend is vllm and settings say spawn."""
        s = self.settings
        if self.pipeline.backend.name != "vllm" or s.llm_server == "external":
            return None
        return ManagedServer(self.profile, s.checkpoints_dir, s.cache_dir / "vllm", log_path)

    def close(self) -> None:
        self.database.dispose()
        if self.audit.db is not self.database:
            self.audit.db.dispose()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_context(
    settings: Settings, *, backend: str | None = None, audit_database: Database | None = None
) -> AppContext:
    """Everything the settings describe. `backend` overrides the profile's; `audit_database`
    takes the audit trail and review queue elsewhere (an eval run's own file)."""
    database = Database(settings.db_url)
    database.create_schema()  # migrations to head
    kb = KnowledgeBase(database)
    shared_encoder().keep_files_in(settings.cache_dir / "minilm-onnx")  # the guard's model
    packs = Packs(settings.guardrails_dir)
    profile = load_profile(settings.models_dir, settings.model_profile)
    retriever = FaissRetriever(
        settings.index_dir,
        kb,
        embedder(settings, cached=False),
        index_params=settings.index,
        ranking=settings.ranking,
    )
    grounder = Grounder(
        kb=kb,
        retriever=retriever,
        renderer=JinjaPromptRenderer(settings.prompts_dir),
        screener=Screener(packs),
        preflight=Preflight(settings.guardrails_dir),
        profile=profile,
        template=settings.template or profile.template,
        retrieve_k=settings.retrieve_k,
        rules_k=settings.rules_k,
    )
    if audit_database is not None:
        audit_database.create_schema()
    pipeline = Pipeline(
        grounder=grounder,
        backend=make_backend(
            profile, settings.checkpoints_dir, backend=backend, threads=settings.torch_threads
        ),
        profile=profile,
        packs=packs,
        audit=SqlAuditStore(audit_database or database),
        max_attempts=settings.max_attempts,
        seed=settings.seed,
    )
    indexer = IndexUpdater(kb, embedder(settings), settings.index_dir, settings.index)
    ctx = assemble(settings, pipeline, indexer)
    ctx.background = True
    return ctx


def assemble(
    settings: Settings, pipeline: Pipeline, indexer: IndexUpdater | None = None
) -> AppContext:
    """The stores around a built pipeline, in its knowledge base's database (the audit trail
    and review queue in its audit store's)."""
    kb, screener = pipeline.grounder.kb, pipeline.grounder.screener
    database = kb.db
    audit = pipeline.audit
    if not isinstance(audit, SqlAuditStore):
        raise TypeError("the assembled pipeline must audit to SQL (the review queue reads it)")
    idempotency, rate_limits = request_stores(database, settings.limits)
    outcomes, experiments = learning(settings, kb, audit, indexer)
    return AppContext(
        settings=settings,
        database=database,
        kb=kb,
        packs=pipeline.packs,
        screener=screener,
        pipeline=pipeline,
        audit=audit,
        keys=KeyStore(database),
        reviews=ReviewQueue(audit.db, screen=screener.note),
        campaigns=Campaigns(
            CampaignStore(database),
            Admission(screener, pipeline.grounder.preflight, kb, pipeline.profile.name),
        ),
        idempotency=idempotency,
        rate_limits=rate_limits,
        outcomes=outcomes,
        experiments=experiments,
        indexer=indexer,
    )


def learning(
    settings: Settings, kb: KnowledgeBase, audit: SqlAuditStore, indexer: IndexUpdater | None
) -> tuple[Outcomes, Experiments]:
    """Outcomes and experiments, beside the audit trail they refer to; promoted variants go
    to the knowledge base, and a new one is taken into the index in the background."""
    params = settings.learning
    log = OutcomeLog(audit.db)
    promoter = Promoter(
        kb,
        log,
        Promotions(audit.db),
        params.promotion,
        on_new=indexer.schedule if indexer is not None else None,
    )
    return (
        Outcomes(log, audit, promoter),
        Experiments(ExperimentStore(audit.db), audit, log, params.bandit),
    )


def request_stores(database: Database, limits: ApiLimits) -> tuple[IdempotencyStore, RateLimiter]:
    """The state the API's middleware keeps in the database (shared by every replica)."""
    # A claim outlives the longest request it can belong to; one older was left by a dead replica.
    lease_s = 2 * limits.request_timeout_s
    return (
        IdempotencyStore(database, ttl_s=limits.idempotency_ttl_s, lease_s=lease_s),
        RateLimiter(database, limits.requests_per_minute),
    )


def embedder(settings: Settings, *, cached: bool = True) -> MiniLMEmbedder:
    """`cached`: keep vectors by content hash so index rebuilds skip unchanged text. Serving
    leaves it off: one-off queries would only grow the cache and add a disk round trip."""
    return MiniLMEmbedder(cache_dir=settings.cache_dir / "embeddings" if cached else None)


def campaign_slot(settings: Settings) -> tuple[CampaignStore, Pipeline]:
    """What one Ray actor runs campaigns with (picklable through functools.partial)."""
    ctx = open_context(settings)
    return ctx.campaigns.store, ctx.pipeline
