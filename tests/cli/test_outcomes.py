"""`offergen outcomes import FILE` (JSONL or CSV): the same checks and idempotency as the API,
with bad lines reported by number and nothing stored then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.config import Settings
from offergen.store.database import Database
from offergen.store.outcome_log import OutcomeLog
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import audit_record

runner = CliRunner()
AT = "2026-11-01T09:00:00+00:00"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    db = Database(Settings(data_dir=tmp_path).db_url)
    db.create_schema()
    SqlAuditStore(db).append(
        [audit_record("r1", 0, tenant="acme"), audit_record("r1", 1, tenant="acme")]
    )
    db.dispose()
    return {"OFFERGEN_DATA_DIR": str(tmp_path)}


def _count(env: dict[str, str]) -> int:
    db = Database(Settings(data_dir=Path(env["OFFERGEN_DATA_DIR"])).db_url)
    try:
        return OutcomeLog(db).count()
    finally:
        db.dispose()


def test_imports_jsonl_once(env: dict[str, str], tmp_path: Path) -> None:
    events = [
        {
            "event_id": f"e{i}",
            "request_id": "r1",
            "variant": i % 2,
            "sends": 100,
            "clicks": 5,
            "redemptions": 1,
            "at": AT,
        }
        for i in range(3)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    first = runner.invoke(app, ["outcomes", "import", str(path)], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"accepted": 3, "duplicates": 0, "promoted": []}
    again = runner.invoke(app, ["outcomes", "import", str(path), "--tenant", "acme"], env=env)
    assert json.loads(again.stdout)["duplicates"] == 3
    assert _count(env) == 3


def test_imports_csv_and_reports_bad_lines(env: dict[str, str], tmp_path: Path) -> None:
    header = "event_id,request_id,variant,sends,clicks,redemptions,at\n"
    good = tmp_path / "good.csv"
    good.write_text(header + f"c1,r1,0,50,2,1,{AT}\n")
    result = runner.invoke(app, ["outcomes", "import", str(good)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 1

    bad = tmp_path / "bad.csv"
    bad.write_text(header + f"c2,r1,0,50,2,1,{AT}\nc3,r1,0,lots,2,1,{AT}\nc4,r9,0,5,0,0,{AT}\n")
    result = runner.invoke(app, ["outcomes", "import", str(bad)], env=env)
    assert result.exit_code == 2
    assert "line 3: sends:" in result.output
    assert "nothing was stored" in result.output
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(header + f"c2,r1,0,50,2,1,{AT}\nc4,r9,0,5,0,0,{AT}\n")
    result = runner.invoke(app, ["outcomes", "import", str(unknown)], env=env)
    assert result.exit_code == 2 and "line 3: request_id: unknown request_id" in result.output
    other = runner.invoke(app, ["outcomes", "import", str(good), "--tenant", "globex"], env=env)
    assert other.exit_code == 2 and "unknown request_id" in other.output
    assert _count(env) == 1
