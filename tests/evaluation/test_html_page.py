from __future__ import annotations

from offergen.evaluation.html_page import highlight, page, pct, verdict


def test_highlight_wraps_spans_with_their_labels() -> None:
    out = highlight("Get 25% back", [(4, 7, "numbers: 25% is not backed")])
    assert out == 'Get <mark title="numbers: 25% is not backed">25%</mark> back'


def test_overlapping_spans_split_into_segments() -> None:
    out = highlight("abcdef", [(0, 4, "x"), (2, 6, "y")])
    assert out == '<mark title="x">ab</mark><mark title="x; y">cd</mark><mark title="y">ef</mark>'


def test_text_and_labels_are_escaped_and_bad_spans_clamped() -> None:
    out = highlight("<b>hi</b>", [(0, 99, 'a "quote"'), (5, 2, "empty")])
    assert out == '<mark title="a &quot;quote&quot;">&lt;b&gt;hi&lt;/b&gt;</mark>'


def test_page_is_self_contained() -> None:
    html = page("t <x>", "<p>body</p>")
    assert html.startswith("<!DOCTYPE html>") and "<title>t &lt;x&gt;</title>" in html
    assert "<script>" in html and "src=" not in html and "href=" not in html
    assert "data-report-ready" in html


def test_pct_and_verdict() -> None:
    assert (pct(None), pct(0.5)) == ("n/a", "50.0%")
    assert "PASS" in verdict(True) and "FAIL" in verdict(False)
