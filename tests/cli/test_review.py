"""`offergen review list | approve | reject | export` as a reviewer runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.schemas import OfferTerms
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.store.audit_records import URGENCY, held

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data dir of its own whose database holds three queued variants (ids 1, 2, 3)."""
    url = f"sqlite:///{tmp_path / 'offergen.db'}"
    db = Database(url)
    db.create_schema()
    SqlAuditStore(db).append(
        [
            held("r1", 0, tenant="acme"),
            held("r1", 1, tenant="acme", findings=[URGENCY, URGENCY], text="Act now: 5% back."),
            held("r2", 0, tenant="globex", channel="email", jurisdiction="EU"),
        ]
    )
    db.dispose()
    return {"OFFERGEN_DATA_DIR": str(tmp_path), "OFFERGEN_DATABASE_URL": url}


def _run(env: dict[str, str], *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["review", *args], env=env)
    assert result.exit_code == code, result.output
    return result


def test_list_shows_the_pending_items(env: dict[str, str]) -> None:
    items = json.loads(_run(env, "list", "--format", "json").stdout)
    assert [(i["id"], i["queued_for"], i["decision"]) for i in items] == [
        (1, "held", None),
        (2, "held", None),
        (3, "held", None),
    ]
    assert items[1]["record"]["text"] == "Act now: 5% back."
    text = _run(env, "list").stdout.splitlines()
    assert len(text) == 3 and text[1].split()[:4] == ["2", "held", "m_freshmart", "claims.urgency"]
    assert text[1].endswith("Act now: 5% back.")
    _run(env, "list", "--format", "yaml", code=2)


def test_approve_and_reject_once_each(env: dict[str, str]) -> None:
    ok = _run(env, "approve", "1", "--reason", "the deadline is real")
    assert "review item 1: approve recorded" in ok.output
    _run(env, "reject", "2", "--reason", "no deadline in the terms")
    again = _run(env, "reject", "1", "--reason", "changed my mind", code=1)
    assert "review item 1 was already decided (approve)" in again.output
    assert [i["id"] for i in json.loads(_run(env, "list", "--format", "json").stdout)] == [3]


def test_unknown_id_and_bad_reason_are_clear_errors(env: dict[str, str]) -> None:
    missing = _run(env, "approve", "99", "--reason", "fine", code=1)
    assert "unknown review item 99" in missing.output
    blank = _run(env, "approve", "1", "--reason", "  ", code=2)
    assert "reason of 1 to 500 characters" in blank.output
    pii = _run(env, "reject", "1", "--reason", "mail jane.doe@example.com", code=2)
    assert "personal data is not accepted in the reason" in pii.output
    assert "jane" not in pii.output
    assert len(json.loads(_run(env, "list", "--format", "json").stdout)) == 3  # nothing decided


def test_export_writes_decided_items_as_eval_cases(env: dict[str, str], tmp_path: Path) -> None:
    _run(env, "reject", "2", "--reason", "no deadline in the terms")
    _run(env, "approve", "3", "--reason", "sale ends Sunday")
    out = tmp_path / "cases" / "review.jsonl"
    done = _run(env, "export", "--out", str(out))
    assert "wrote 2 eval case(s)" in done.output
    cases = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for case in cases:
        _assert_eval_case_shape(case)
    assert [c["id"] for c in cases] == ["review-2", "review-3"]  # in decision order
    rejected, approved = cases
    assert rejected["vars"]["text"] == "Act now: 5% back."
    assert rejected["assert"] == [{"type": "released", "value": False}]
    assert rejected["metadata"]["rule_ids"] == ["claims.urgency"]
    assert rejected["metadata"]["reason"] == "no deadline in the terms"
    assert approved["assert"] == [{"type": "released", "value": True}]
    assert (approved["vars"]["channel"], approved["vars"]["jurisdiction"]) == ("email", "EU")
    assert approved["metadata"]["label"] == "approved" and approved["metadata"]["review_id"] == 3

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    _run(env, "export", "--out", str(out), "--since", tomorrow)
    assert out.read_text(encoding="utf-8") == ""
    today = datetime.now(UTC).date().isoformat()
    _run(env, "export", "--out", str(out), "--since", today)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def _assert_eval_case_shape(case: dict[str, Any]) -> None:
    """Exactly the shape the eval suite reads."""
    assert set(case) == {"id", "vars", "assert", "metadata"}
    assert isinstance(case["id"], str) and case["id"].startswith("review-")
    assert set(case["vars"]) == {"text", "channel", "jurisdiction", "offer"}
    assert isinstance(case["vars"]["text"], str)
    assert case["vars"]["channel"] in {"sms", "push", "email", "in_app"}
    assert case["vars"]["jurisdiction"] in {"US", "EU"}
    OfferTerms.model_validate(case["vars"]["offer"])
    [check] = case["assert"]
    assert set(check) == {"type", "value"} and check["type"] == "released"
    assert isinstance(check["value"], bool)
    meta = case["metadata"]
    assert set(meta) == {
        "source",
        "review_id",
        "label",
        "reason",
        "merchant_id",
        "template",
        "template_version",
        "model_id",
        "rule_ids",
    }
    assert meta["source"] == "review" and isinstance(meta["review_id"], int)
    assert case["id"] == f"review-{meta['review_id']}"
    assert meta["label"] == ("approved" if check["value"] else "rejected")
    assert all(isinstance(r, str) for r in meta["rule_ids"])


@pytest.mark.parametrize("command", [[], ["list"], ["approve"], ["reject"], ["export"]])
def test_help(command: list[str]) -> None:
    result = runner.invoke(app, ["review", *command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
