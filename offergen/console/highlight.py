"""A text cut into pieces at its findings' spans, so a template can mark each span (escaped
piece by piece: nothing here builds HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from offergen.schemas import Finding


@dataclass(frozen=True)
class Piece:
    text: str
    findings: tuple[int, ...]  # 1-based numbers of the findings whose span covers this piece
    severity: str  # the most severe of them ("" where none)


_RANK = {"block": 3, "fix": 2, "warn": 1}


def pieces(text: str, findings: list[Finding]) -> list[Piece]:
    """Overlapping spans are cut at every boundary; spans outside the text are clamped (a
    finding about the whole text may carry 0..0)."""
    spans = [(max(0, f.start), min(len(text), f.end)) for f in findings]
    cuts = sorted({0, len(text), *(p for s in spans for p in s)})
    out: list[Piece] = []
    for lo, hi in pairwise(cuts):
        if lo >= hi:
            continue
        covering = tuple(n for n, (s, e) in enumerate(spans, 1) if s <= lo and hi <= e and s < e)
        severity = max(
            (findings[n - 1].severity.value for n in covering), key=_RANK.__getitem__, default=""
        )
        out.append(Piece(text[lo:hi], covering, severity))
    return out
