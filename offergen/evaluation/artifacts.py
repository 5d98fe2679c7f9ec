"""Writes what a run or a comparison leaves behind: JSON for tools, HTML for people."""

from __future__ import annotations

from pathlib import Path

from offergen.evaluation import compare_html, report_html
from offergen.evaluation.compare import Comparison
from offergen.evaluation.results import SuiteResults

RESULTS = "results.json"
REPORT = "report.html"
COMPARISON = "compare.json"
COMPARISON_REPORT = "compare.html"


def write_run(out_dir: Path, results: SuiteResults) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / RESULTS, out_dir / REPORT
    json_path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    html_path.write_text(report_html.render(results), encoding="utf-8")
    return json_path, html_path


def write_comparison(out_dir: Path, comparison: Comparison) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / COMPARISON, out_dir / COMPARISON_REPORT
    json_path.write_text(comparison.model_dump_json(indent=2) + "\n", encoding="utf-8")
    html_path.write_text(compare_html.render(comparison), encoding="utf-8")
    return json_path, html_path
