"""Finding spans cut a text into pieces, overlapping spans at every boundary."""

from __future__ import annotations

from offergen.console.highlight import pieces
from offergen.schemas import Finding, Severity


def _f(start: int, end: int, severity: Severity = Severity.warn) -> Finding:
    return Finding(
        check="c", rule_id="c.r", severity=severity, start=start, end=end, message="m",
        explanation="e",
    )  # fmt: skip


def test_pieces_cover_the_text_once_with_their_findings() -> None:
    text = "Hurry: 50% back today"
    out = pieces(text, [_f(0, 5), _f(7, 10, Severity.block), _f(7, 15)])
    assert "".join(p.text for p in out) == text
    assert [(p.text, p.findings, p.severity) for p in out] == [
        ("Hurry", (1,), "warn"),
        (": ", (), ""),
        ("50%", (2, 3), "block"),
        (" back", (3,), "warn"),
        (" today", (), ""),
    ]


def test_spans_outside_the_text_are_clamped() -> None:
    assert [p.text for p in pieces("abc", [_f(0, 0), _f(2, 99)])] == ["ab", "c"]
