"""The compliance suite's gates held by CI: its first 12 cases through the default profile (the
session's real vLLM server, terms-locked drafting), the way a reviewer runs the suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.config import Settings
from offergen.generation.profiles import ModelProfile


@pytest.mark.model
def test_the_first_compliance_cases_hold_the_suites_gates(
    prepared_settings: Settings,
    vllm_profile: ModelProfile,
    repo_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OFFERGEN_DATA_DIR", str(tmp_path / "data"))  # the audit goes to tmp
    monkeypatch.setenv("OFFERGEN_DATABASE_URL", prepared_settings.db_url)
    (tmp_path / "data").mkdir()
    for name in ("models", "index"):
        (tmp_path / "data" / name).symlink_to(prepared_settings.data_dir / name)
    suite = repo_root / "eval" / "suites" / "compliance.yaml"
    out = tmp_path / "out"
    args = ["eval", "run", "--suite", str(suite), "--out", str(out), "--limit", "12"]
    result = CliRunner().invoke(app, [*args, "--profile", vllm_profile.name])

    run = json.loads((out / "results.json").read_text())["runs"][0]
    summary = run["summary"]
    failed = [t for t in run["thresholds"] if not t["passed"]]
    assert result.exit_code == 0 and not failed, (failed, result.output[-2000:])
    assert run["backend"] == "vllm" and set(run["templates"]) == {"offer_copy"}
    assert summary["cases"] == 12 and summary["hold_rate"] <= 0.15
    print(
        f"\ncompliance, first 12 cases: drafts held {summary['hold_rate']:.3f}, first try "
        f"{summary['first_try_rate']:.3f}, p50 {summary['latency_ms']['p50']:.0f} ms"
    )
