"""The shell every HTML report shares: one self-contained page (inline CSS, inline script, no
external URL), and the span highlighting of failing copy."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import pairwise

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.pass{color:#1c7c3c;font-weight:600}.fail{color:#b3261e;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart-box{margin:0;border:1px solid #eee;padding:8px;background:#fff}
figcaption{font-weight:600;margin-top:4px}.note{font-weight:400;color:#666}
svg.chart text{font-size:11px;fill:#333}svg.chart text.value{fill:#555}
details.case{border:1px solid #ddd;border-radius:4px;margin:8px 0;padding:6px 10px}
details.case>summary{cursor:pointer}
.copy{background:#fafafa;border-left:3px solid #ccc;padding:4px 8px;margin:4px 0;
white-space:pre-wrap}.copy.released{border-left-color:#1c7c3c}.copy.held{border-left-color:#b3261e}
mark{background:#ffd54f;border-bottom:2px solid #b3261e}
pre.prompt{white-space:pre-wrap;background:#f6f8fa;padding:8px;max-height:420px;overflow:auto;
font-size:12px}
input#filter{width:320px;padding:4px}.muted{color:#666}
"""

# Marks the page as rendered once every chart has laid out: a headless browser (and the tests)
# can tell that the script ran without an error and that the charts have a size.
_SCRIPT = """
(function () {
  "use strict";
  var charts = document.querySelectorAll("svg.chart");
  var drawn = 0;
  charts.forEach(function (svg) {
    var box = svg.getBBox();
    if (box.width > 0 && box.height > 0 && svg.querySelector("rect.bar") !== null) { drawn += 1; }
  });
  var filter = document.getElementById("filter");
  if (filter !== null) {
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      document.querySelectorAll("details.case").forEach(function (el) {
        el.hidden = q !== "" && el.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  }
  document.body.setAttribute("data-charts", String(drawn));
  document.body.setAttribute("data-report-ready", "yes");
})();
"""


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}<script>{_SCRIPT}</script></body></html>\n"
    )


def highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """`text` escaped, each span wrapped in <mark title="why">; overlapping spans are split into
    segments that carry every label covering them."""
    n = len(text)
    clean = [(max(0, s), min(n, e), label) for s, e, label in spans if min(n, e) > max(0, s)]
    cuts = sorted({0, n, *(s for s, _, _ in clean), *(e for _, e, _ in clean)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        labels = list(dict.fromkeys(label for s, e, label in clean if s <= a and b <= e))
        piece = escape(text[a:b])
        out.append(f'<mark title="{escape("; ".join(labels))}">{piece}</mark>' if labels else piece)
    return "".join(out)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def verdict(passed: bool) -> str:
    return '<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>'
