"""The one assembly point: every store and stage built once, over one database."""

from __future__ import annotations

from pathlib import Path

from offergen.app_context import assemble, open_context
from offergen.config import Settings
from tests.support.pipelines import MakePipeline


def test_open_context_builds_each_part_once_over_one_database(tmp_path: Path) -> None:
    with open_context(Settings(data_dir=tmp_path)) as ctx:
        assert ctx.background  # a server on it starts what settings ask for
        db = ctx.database
        stores = (ctx.kb, ctx.audit, ctx.keys, ctx.reviews, ctx.campaigns.store)
        assert all(s.db is db for s in stores)
        assert ctx.idempotency.db is db and ctx.rate_limits.db is db
        grounder = ctx.pipeline.grounder
        assert grounder.kb is ctx.kb and grounder.screener is ctx.screener
        assert ctx.pipeline.packs is ctx.packs is ctx.screener.packs
        assert ctx.pipeline.audit is ctx.audit
        assert not ctx.pipeline.ready  # cheap: nothing is loaded until warm_up


def test_the_vllm_server_is_the_contexts_only_with_a_vllm_backend_and_spawn(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)  # default: embedded-vllm, spawn
    with open_context(settings) as ctx:
        server = ctx.llm_server(tmp_path / "vllm.log")
        assert server is not None and server.profile.name == "embedded-vllm"
    with open_context(settings.model_copy(update={"llm_server": "external"})) as ctx:
        assert ctx.llm_server() is None
    with open_context(settings, backend="transformers") as ctx:
        assert ctx.llm_server() is None


def test_a_context_assembled_around_a_pipeline_starts_nothing_beside_it(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline, _ = make_pipeline([])
    ctx = assemble(Settings(data_dir=tmp_path), pipeline)
    assert not ctx.background and ctx.kb is pipeline.grounder.kb
    assert ctx.reviews.db is pipeline.audit.db  # type: ignore[attr-defined]
