from __future__ import annotations

import json
from pathlib import Path

from offergen.evaluation.artifacts import write_comparison, write_run
from offergen.evaluation.compare import compare
from tests.evaluation.outcomes import outcome, variant
from tests.evaluation.runs import case, run_result, suite_results


def test_write_run_and_comparison(tmp_path: Path) -> None:
    results = suite_results(
        run_result([(case("a", [{"type": "released"}]), outcome(variant("x")))])
    )
    json_path, html_path = write_run(tmp_path / "out", results)
    data = json.loads(json_path.read_text())
    assert data["suite"] == "demo" and data["runs"][0]["cases"][0]["id"] == "a"
    assert data["runs"][0]["summary"]["assertions"]["released"]["rate"] == 1.0
    assert html_path.read_text().startswith("<!DOCTYPE html>")
    json_path, html_path = write_comparison(tmp_path / "cmp", compare(results, results, "A", "B"))
    assert json.loads(json_path.read_text())["pass_rate"]["significant"] is False
    assert html_path.name == "compare.html" and html_path.exists()
