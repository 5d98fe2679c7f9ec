"""An eval run's audit trail goes to its own folder, never to the serving database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from offergen.config import Settings
from offergen.evaluation import workspace
from offergen.evaluation.workspace import AUDIT_DB, eval_pipeline, eval_settings
from offergen.schemas import GenerateRequest
from offergen.store.audit_tables import AuditRow
from offergen.store.database import Database
from tests.conftest import MakePipeline


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
    monkeypatch.setattr(workspace, "build_pipeline", lambda settings: pipeline)
    request = GenerateRequest.model_validate(
        {
            "merchant_id": "m_freshmart",
            "channel": "push",
            "variants": 1,
            "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
        }
    )
    before = _audit_rows(pipeline.kb.db)
    with eval_pipeline(Settings(), tmp_path / "out") as p:
        assert p.audit is not serving
        p.generate(request, "eval-1")
    assert _audit_rows(pipeline.kb.db) == before  # the serving trail is untouched
    assert _audit_rows(Database(f"sqlite:///{tmp_path / 'out' / AUDIT_DB}")) == 1
