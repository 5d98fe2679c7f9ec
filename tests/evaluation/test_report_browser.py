"""The HTML reports open in headless Chromium (Debian's `chromium` package) without a console
message, their script runs to the end, and every chart lays out with a size."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from offergen.evaluation import compare_html, report_html
from offergen.evaluation.compare import compare
from offergen.evaluation.thresholds import Threshold
from tests.evaluation.outcomes import finding, outcome, variant
from tests.evaluation.runs import case, run_result, suite_results
from tests.support.chromium import CHROMIUM_ARGS


def _browse(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console messages Chromium logged."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium")
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            *CHROMIUM_ARGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


def _run_report() -> str:
    bad = case("bad-1", [{"type": "check:numbers"}, {"type": "grounded"}])
    guard = case("g-1", [{"type": "fires", "value": ["numbers"]}])
    held = variant(
        "Get 25% back <script>x()</script>",
        released=False,
        attempts=2,
        findings=[finding("numbers", 4, 7)],
    )
    guard_out = outcome(variant("30%", released=False, findings=[finding("numbers")]), kind="guard")
    run = run_result(
        [
            (bad, outcome(held, prompt="Terms: 5% cashback\nCopy:", latency_ms=900)),
            (guard, guard_out),
        ],
        thresholds=[Threshold(metric="pass_rate", min=1)],
    )
    return report_html.render(suite_results(run))


def _assert_rendered(dom: str, console: list[str], html: str) -> None:
    assert console == [], console
    charts = html.count('<svg class="chart"')
    assert charts > 0
    assert 'data-report-ready="yes"' in dom  # the inline script ran to its last line
    assert f'data-charts="{charts}"' in dom  # every chart has a size and its bars
    assert len(re.findall(r'<rect class="bar"', dom)) >= charts


def test_run_report_renders_in_chromium(tmp_path: Path) -> None:
    html = _run_report()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom, console = _browse(page, tmp_path / "profile")
    _assert_rendered(dom, console, html)
    assert html.count('<svg class="chart"') == 6
    assert "<mark" in dom and "&lt;script&gt;x()" in dom  # copy shown as text, not run


def test_compare_report_renders_in_chromium(tmp_path: Path) -> None:
    side = suite_results(
        run_result([(case("a", [{"type": "released"}]), outcome(variant("5% back")))])
    )
    html = compare_html.render(compare(side, side, "A", "B"))
    page = tmp_path / "compare.html"
    page.write_text(html, encoding="utf-8")
    dom, console = _browse(page, tmp_path / "profile")
    _assert_rendered(dom, console, html)


def test_a_script_error_would_be_caught(tmp_path: Path) -> None:
    """The control: the same check on a page whose script fails sees it."""
    page = tmp_path / "broken.html"
    page.write_text(_run_report().replace("var charts =", "undefinedCall(); var charts ="))
    dom, console = _browse(page, tmp_path / "profile")
    assert any("undefinedCall is not defined" in line for line in console)
    assert 'data-report-ready="yes"' not in dom
