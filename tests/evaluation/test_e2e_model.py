"""A small suite end to end with the real embedded model, the way a reviewer runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from offergen.cli import app
from offergen.config import Settings
from offergen.store.audit_tables import AuditRow
from offergen.store.database import Database

SUITE = """
name: smoke
sampling: {seed: 1234, max_attempts: 1, variants: 1}
defaults:
  generate:
    - {type: "check:pii", scope: drafts}
    - {type: grounded, scope: released}
    - {type: length, scope: released, max: {push: 178}}
cases:
  - id: push-freshmart
    vars:
      merchant_id: m_freshmart
      channel: push
      offer: {kind: cashback, merchant: FreshMart, value: 5, unit: percent, min_spend: 50}
  - id: push-bytebarn
    vars:
      merchant_id: m_bytebarn
      channel: push
      offer: {kind: discount, merchant: ByteBarn, value: 10, unit: percent}
  - id: refused-phone
    vars:
      merchant_id: m_freshmart
      channel: push
      customer: {segment: "call 415-555-0134"}
      offer: {kind: cashback, merchant: FreshMart, value: 5, unit: percent}
    assert: [{type: refused}]
thresholds:
  - {metric: errors, max: 0}
  - {metric: assertion.refused, min: 1}
"""


def _audit_rows(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as s:
            return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)
    finally:
        db.dispose()


@pytest.mark.model
def test_small_suite_with_the_real_model(
    prepared_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFERGEN_DATA_DIR", str(prepared_settings.data_dir))
    monkeypatch.setenv("OFFERGEN_RETRIEVE_K", "2")  # a shorter prompt keeps the test quick
    suite = tmp_path / "smoke.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    out = tmp_path / "out"
    serving_before = _audit_rows(prepared_settings.db_url)

    args = ["eval", "run", "--suite", str(suite), "--out", str(out), "--concurrency", "2"]
    args += ["--profile", "embedded"]  # the in-process transformers backend, no server
    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    run = json.loads((out / "results.json").read_text())["runs"][0]
    assert (run["model_id"], run["backend"]) == ("google/gemma-3-270m", "transformers")
    assert run["templates"] and all(run["templates"].values())
    cases = {c["id"]: c for c in run["cases"]}
    for case_id in ("push-freshmart", "push-bytebarn"):
        o = cases[case_id]["outcome"]
        assert o["error"] is None and o["refused"] is None
        assert len(o["variants"]) == 1 and o["variants"][0]["text"]
        assert o["drafts"] and o["latency_ms"] > 0
        assert [a["type"] for a in cases[case_id]["assertions"]] == [
            "check:pii",
            "grounded",
            "length",
        ]
    assert (
        cases["refused-phone"]["passed"]
        and "415" not in cases["refused-phone"]["outcome"]["refused"]
    )
    assert run["summary"]["variants"] == 2 and run["summary"]["latency_ms"]["p50"] > 0
    html = (out / "report.html").read_text()
    assert '<svg class="chart"' in html and "Pass rate per channel" in html
    # The run's audit trail is in the output folder; the serving database is untouched.
    assert _audit_rows(f"sqlite:///{out / 'audit.db'}") == 2
    assert _audit_rows(prepared_settings.db_url) == serving_before
