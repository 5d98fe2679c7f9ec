from __future__ import annotations

import re

from offergen.evaluation import svg


def _widths(html: str) -> list[float]:
    return [
        float(w) for w in re.findall(r'<rect class="bar" x="170" y="[\d.]+" width="([\d.]+)"', html)
    ]


def test_bars_scale_with_the_value() -> None:
    html = svg.bars("Pass rate", [("a", 1.0, "100%"), ("b", 0.5, "50%"), ("c", None, "n/a")])
    assert html.count('<svg class="chart"') == 1 and "<figcaption>Pass rate" in html
    full, half, none = _widths(html)
    assert half == full / 2 and none == 0


def test_grouped_bars_have_a_legend() -> None:
    rows = [("pii", 1.0, "p"), ("pii", 0.5, "r")]
    html = svg.bars("Guard", rows, series=("precision", "recall"))
    assert ">precision</text>" in html and ">recall</text>" in html
    assert len(_widths(html)) == 2


def test_columns_and_histogram() -> None:
    html = svg.columns("Attempts", [("round 1", 4), ("round 2", 2)])
    heights = [float(h) for h in re.findall(r'class="bar" [^>]*height="([\d.]+)"', html)]
    assert heights[0] == 2 * heights[1]
    assert svg.histogram([1, 2, 3, 10], bins=3) == [("1", 3), ("4", 0), ("7", 1)]
    assert svg.histogram([]) == []


def test_labels_are_escaped() -> None:
    assert "&lt;script&gt;" in svg.bars("t", [("<script>", 1.0, "x")])
