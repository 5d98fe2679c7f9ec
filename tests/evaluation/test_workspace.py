"""An eval run's audit trail goes to its own folder, never to the serving database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from offergen.app_context import AppContext, assemble, open_context
from offergen.config import Settings
from offergen.evaluation import workspace
from offergen.evaluation.workspace import AUDIT_DB, eval_context, eval_settings
from offergen.pipeline import RequestMeta
from offergen.schemas import GenerateRequest
from offergen.store.audit_tables import AuditRow
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.support.pipelines import MakePipeline


def test_eval_settings_take_the_run_options() -> None:
    base = Settings(max_attempts=3)
    s = eval_settings(base, "embedded-vllm", seed=9, max_attempts=1)
    assert (s.model_profile, s.seed, s.max_attempts) == ("embedded-vllm", 9, 1)
    kept = eval_settings(base, None, seed=9, max_attempts=None)
    assert (kept.model_profile, kept.max_attempts) == (base.model_profile, 3)


def _audit_rows(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_audit_goes_to_the_output_folder(
    make_pipeline: MakePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, _ = make_pipeline(["Get 5% cash back at FreshMart. Terms apply."])
    serving = pipeline.audit
    asked: list[Database] = []

    def opened(settings: Settings, *, audit_database: Database) -> AppContext:
        # what open_context does with `audit_database` (tested below), around the scripted model
        asked.append(audit_database)
        audit_database.create_schema()
        return assemble(settings, replace(pipeline, audit=SqlAuditStore(audit_database)))

    monkeypatch.setattr(workspace, "open_context", opened)
    request = GenerateRequest.model_validate(
        {
            "merchant_id": "m_freshmart",
            "channel": "push",
            "variants": 1,
            "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
        }
    )
    before = _audit_rows(pipeline.grounder.kb.db)
    with eval_context(Settings(), tmp_path / "out") as ctx:
        assert ctx.audit is not serving
        ctx.pipeline.generate(request, RequestMeta("eval-1"))
    assert _audit_rows(pipeline.grounder.kb.db) == before  # the serving trail is untouched
    assert asked[0].engine.url.database == str((tmp_path / "out" / AUDIT_DB).resolve())
    assert _audit_rows(Database(f"sqlite:///{tmp_path / 'out' / AUDIT_DB}")) == 1


def test_the_audit_database_takes_the_trail_and_the_review_queue(tmp_path: Path) -> None:
    audit_db = Database(f"sqlite:///{tmp_path / 'audit.db'}")
    with open_context(Settings(data_dir=tmp_path / "data"), audit_database=audit_db) as ctx:
        assert ctx.pipeline.audit is ctx.audit and ctx.audit.db is audit_db
        assert ctx.reviews.db is audit_db
        assert ctx.kb.db is ctx.database and ctx.database is not audit_db
