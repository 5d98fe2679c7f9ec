"""`offergen eval run` and `offergen eval compare` as a user runs them (guard-only suites, so no
model is loaded; the real-model run is in test_e2e_model.py)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from offergen.cli import app

runner = CliRunner()
OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
CASES = [
    {
        "id": "clean",
        "vars": {
            "text": "5% cash back at FreshMart. Terms apply.",
            "channel": "email",
            "offer": OFFER,
        },
        "assert": [{"type": "released"}],
    },
    {
        "id": "invented",
        "vars": {
            "text": "30% cash back at FreshMart. Terms apply.",
            "channel": "email",
            "offer": OFFER,
        },
        "assert": [{"type": "released"}],
    },
]


def _suite(tmp_path: Path, thresholds: str) -> Path:
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    path = tmp_path / "suite.yaml"
    path.write_text(f"name: cli\ncase_files: [cases.jsonl]\nthresholds:\n{thresholds}")
    return path


def test_help() -> None:
    for args in (["eval"], ["eval", "run"], ["eval", "compare"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_run_writes_json_and_html_and_passes(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.5}\n")
    result = runner.invoke(
        app, ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "1/2 cases passed (50.0%)" in result.output and "ok   pass_rate" in result.output
    data = json.loads((tmp_path / "o" / "results.json").read_text())
    assert [c["passed"] for c in data["runs"][0]["cases"]] == [True, False]
    assert (tmp_path / "o" / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_a_failed_threshold_exits_1(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    result = runner.invoke(
        app, ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1, result.output
    assert "FAIL pass_rate: 0.5 is below the minimum 0.9" in result.output
    assert (tmp_path / "o" / "report.html").exists()  # the report is written all the same


def test_limit(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    args = ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o"), "--limit", "1"]
    assert runner.invoke(app, args).exit_code == 0


def test_malformed_suite_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, minimum: 0.9}\n")
    result = runner.invoke(
        app, ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert f"{suite}:4: thresholds.0.minimum: Extra inputs are not permitted" in result.output
    assert not (tmp_path / "o").exists()


def test_bad_case_line_exits_2(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    with (tmp_path / "cases.jsonl").open("a") as f:
        f.write('{"id": "x", "vars": {"text": "hi"}, "assert": [{"type": "released"}]}\n')
    result = runner.invoke(
        app, ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "cases.jsonl:3: vars.channel: Field required" in result.output


def test_compare_side_by_side(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    out = tmp_path / "cmp"
    args = [
        "eval",
        "compare",
        "--suite",
        str(suite),
        "--out",
        str(out),
        "--repeats",
        "2",
        "--a",
        "template=offer_copy",
        "--b",
        "template=offer_copy_chat",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "within run-to-run noise" in result.output  # guard cases ignore the template
    data = json.loads((out / "compare.json").read_text())
    assert data["seeds"] == [1234, 1235] and data["pass_rate"]["diff"] == 0
    for path in ("compare.html", "a/results.json", "a/report.html", "b/report.html"):
        assert (out / path).exists(), path


def test_compare_bad_side(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    args = [
        "eval",
        "compare",
        "--suite",
        str(suite),
        "--out",
        str(tmp_path / "c"),
        "--a",
        "template=x",
        "--b",
        "temperature=2",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--b 'temperature=2'" in result.output


def test_bad_template_name_exits_2(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "  - {metric: pass_rate, min: 0.9}\n")
    args = ["eval", "run", "--suite", str(suite), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--template", "../etc"])
    assert result.exit_code == 2 and "invalid template name '../etc'" in result.output
