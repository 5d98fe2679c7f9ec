"""`offergen campaign submit | status | results | cancel | run` as an operator runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.worker import Worker
from offergen.cli import app as main_app
from offergen.cli.campaign import campaign_app, worker
from offergen.config import Settings
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.campaigns.cheap_pipeline import SteadyBackend, cheap_pipeline, request, seed_kb

runner = CliRunner()


def _app() -> typer.Typer:
    """The offergen CLI; with the campaign commands added the way app.py registers them, for
    as long as it does not yet."""
    if any(g.name == "campaign" for g in main_app.registered_groups):
        return main_app
    cli = typer.Typer()
    cli.add_typer(campaign_app, name="campaign")
    cli.command()(worker)
    return cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data dir of its own whose database holds the small demo KB."""
    url = f"sqlite:///{tmp_path / 'offergen.db'}"
    db = Database(url)
    seed_kb(db, tmp_path / "index")
    db.dispose()
    return {"OFFERGEN_DATA_DIR": str(tmp_path), "OFFERGEN_DATABASE_URL": url}


def _run(env: dict[str, str], *args: str, code: int = 0) -> Any:
    result = runner.invoke(_app(), list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def _items(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_submit_status_results(env: dict[str, str], tmp_path: Path) -> None:
    lines = [request(i).model_dump_json() for i in range(3)]
    file = _items(tmp_path / "items.jsonl", [lines[0], "", lines[1], lines[2]])
    created = json.loads(
        _run(env, "campaign", "submit", "--file", str(file), "--format", "json").stdout
    )
    cid = created["id"]
    assert created == {"id": cid, "total": 3}
    status = json.loads(_run(env, "campaign", "status", cid, "--format", "json").stdout)
    assert (status["status"], status["total"], status["done"], status["queued"]) == (
        "queued",
        3,
        0,
        3,
    )

    # a worker over the same database (a scripted model: the CLI would load the real one)
    db = Database(env["OFFERGEN_DATABASE_URL"])
    pipeline = cheap_pipeline(db, tmp_path / "index", SteadyBackend())
    Worker(CampaignStore(db), pipeline, WorkerConfig(poll_s=0.05)).run(cid)

    status = json.loads(_run(env, "campaign", "status", cid, "--format", "json").stdout)
    assert (status["status"], status["done"], status["failed"]) == ("completed", 3, 0)
    assert "completed, 100% of 3" in _run(env, "campaign", "status", cid).stdout
    out = _run(env, "campaign", "results", cid, "--format", "jsonl").stdout.splitlines()
    results = [json.loads(line) for line in out]
    assert [r["item"] for r in results] == [0, 1, 2]
    audit = SqlAuditStore(db)
    for r in results:
        assert r["request_id"] == f"{cid}-{r['item']}"
        assert r["response"]["request_id"] == r["request_id"]
        assert len(audit.by_request(r["request_id"])) == 1
    csv_out = _run(env, "campaign", "results", cid, "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "item,status,request_id,variant,released,text,error" and len(csv_out) == 4
    _run(env, "campaign", "results", cid, "--format", "xml", code=2)


def test_bad_lines_are_listed_and_nothing_is_stored(env: dict[str, str], tmp_path: Path) -> None:
    good = request(0).model_dump_json()
    bad = request(1).model_dump(mode="json") | {"channel": "fax"}
    card = request(2).model_dump(mode="json")
    card["customer"]["segment"] = "card 4111 1111 1111 1111"
    lines = [good, "", json.dumps(bad), good, json.dumps(card)]
    result = _run(
        env, "campaign", "submit", "--file", str(_items(tmp_path / "i.jsonl", lines)), code=2
    )
    assert "i.jsonl:3: items.1.channel" in result.output
    assert "i.jsonl:5: items.3.customer.segment" in result.output
    assert "4111" not in result.output
    with Database(env["OFFERGEN_DATABASE_URL"]).read() as s:
        assert s.execute(sqlite3_count("campaigns")).scalar() == 0
    broken = _items(tmp_path / "b.jsonl", [good, "{not json"])
    assert (
        "b.jsonl:2: not JSON"
        in _run(env, "campaign", "submit", "--file", str(broken), code=2).output
    )


def sqlite3_count(table: str) -> Any:
    from sqlalchemy import text

    return text(f"SELECT count(*) FROM {table}")


def test_cancel_and_unknown_ids(env: dict[str, str], tmp_path: Path) -> None:
    file = _items(tmp_path / "items.jsonl", [request(i).model_dump_json() for i in range(2)])
    cid = json.loads(
        _run(env, "campaign", "submit", "--file", str(file), "--format", "json").stdout
    )["id"]
    assert "cancelled (2 item(s) dropped" in _run(env, "campaign", "cancel", cid).stdout
    assert "already cancelled" in _run(env, "campaign", "cancel", cid, code=1).output
    assert (
        json.loads(_run(env, "campaign", "status", cid, "--format", "json").stdout)["status"]
        == "cancelled"
    )
    assert "unknown campaign" in _run(env, "campaign", "status", "0" * 32, code=1).output
    _run(env, "campaign", "run", cid, "--runner", "spark", code=2)


@pytest.mark.model
def test_the_embedded_model_runs_a_campaign_end_to_end(
    real_settings: Settings, tmp_path: Path
) -> None:
    """`campaign run` with the embedded model (transformers, in-process) on 2 items, over a
    copy of the prepared database so that the shared one gets no campaign."""
    copy = tmp_path / "offergen.db"
    src, dst = (
        sqlite3.connect(real_settings.db_url.removeprefix("sqlite:///")),
        sqlite3.connect(copy),
    )
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    env = {
        "OFFERGEN_DATA_DIR": str(real_settings.data_dir),
        "OFFERGEN_DATABASE_URL": f"sqlite:///{copy}",
        "OFFERGEN_MODEL_PROFILE": "embedded",
        "OFFERGEN_SEED": "1234",
        "OFFERGEN_MAX_ATTEMPTS": "1",  # one round per item: the test is about the campaign
    }
    file = _items(tmp_path / "items.jsonl", [request(i).model_dump_json() for i in range(2)])
    submitted = _run(env, "campaign", "submit", "--file", str(file), "--format", "json")
    cid = json.loads(submitted.stdout)["id"]
    ran = _run(env, "campaign", "run", cid, "--concurrency", "2", "--lease-s", "300")
    assert "done 2, failed 0" in ran.output and "completed, 100% of 2" in ran.output
    out = _run(env, "campaign", "results", cid, "--format", "jsonl").stdout.splitlines()
    results = [json.loads(line) for line in out]
    assert [(r["item"], r["status"]) for r in results] == [(0, "done"), (1, "done")]
    audit = SqlAuditStore(Database(f"sqlite:///{copy}"))
    for r in results:
        response = r["response"]
        assert response["model"]["backend"] == "transformers"
        records = audit.by_request(r["request_id"])
        assert [a.text for a in records] == [v["text"] for v in response["variants"]]
        assert all(v["text"].strip() for v in response["variants"])
