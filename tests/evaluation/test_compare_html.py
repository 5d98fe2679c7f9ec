from __future__ import annotations

from offergen.evaluation import compare_html
from offergen.evaluation.compare import compare
from tests.evaluation.outcomes import outcome, variant
from tests.evaluation.runs import case, run_result, suite_results


def _side(passes: list[bool]) -> object:
    pairs = [
        (case(f"c{i}", [{"type": "released"}]), outcome(variant(f"copy <{i}>", released=ok)))
        for i, ok in enumerate(passes)
    ]
    return suite_results(run_result(pairs))


def test_compare_page_shows_verdict_figures_and_changed_cases() -> None:
    comparison = compare(
        _side([False, True, True]),
        _side([True, True, True]),
        "template=a",
        "template=b",  # type: ignore[arg-type]
    )
    html = compare_html.render(comparison)
    assert comparison.verdict.split(";")[0] in html
    assert "Cases that differ (1; 2 alike)" in html and "<td>c0</td>" in html
    assert "copy &lt;0&gt;" in html
    assert html.count('<svg class="chart"') == 2
    assert "A: template=a" in html and "B: template=b" in html
    assert "<code>pass_rate</code>" in html
