"""Text helpers: folding keeps one character per character, so spans stay valid."""

from __future__ import annotations

import re

import pytest

from offergen.guardrails.text import (
    MASK_CHAR,
    drop_invisible,
    mask_pattern,
    mask_spans,
    normalise,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("".join(chr(0xFF10 + d) for d in range(10)), "0123456789"),  # full-width digits
        ("\u0664\u0661", "41"),  # Arabic-Indic digits
        ("\u0966\u096f", "09"),  # Devanagari digits
        ("1\u00a02\u20093", "1 2 3"),  # no-break and thin spaces
        ("1\u20132\u20143\u20104", "1-2-3-4"),  # en dash, em dash, hyphen
        ("\uff05\uff04\uff21", "%$A"),  # full-width forms
        ("caf\u00e9 \u00d7 \ufb01", "caf\u00e9 \u00d7 \ufb01"),  # everything else is left alone
    ],
)
def test_normalise_folds_one_to_one(raw: str, folded: str) -> None:
    assert normalise(raw) == folded
    assert len(normalise(raw)) == len(raw)


def test_mask_spans_keeps_length() -> None:
    assert mask_spans("abcdef", [(1, 3), (4, 5)]) == f"a{MASK_CHAR * 2}d{MASK_CHAR}f"


def test_mask_pattern_masks_every_match() -> None:
    tag = re.compile(r"\{\{\w+\}\}")
    masked = mask_pattern("Hi {{a1}} and {{b2}}!", tag)
    assert masked == "Hi " + MASK_CHAR * 6 + " and " + MASK_CHAR * 6 + "!"
    assert not any(ch.isdigit() for ch in masked)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_drop_invisible_maps_spans_back_to_the_original(invisible: str) -> None:
    raw = f"a{invisible}12{invisible}{invisible}34 x"
    visible = drop_invisible(raw)
    assert visible.text == "a1234 x"
    start = visible.text.index("1234")
    s, e = visible.span(start, start + 4)
    assert raw[s:e] == f"12{invisible}{invisible}34"


def test_drop_invisible_leaves_other_text_alone() -> None:
    for raw in ["plain ascii", "caf\u00e9 \u00d7 4\u00a01", ""]:
        visible = drop_invisible(raw)
        assert visible.text == raw
        assert visible.positions is None
        assert visible.span(1, 3) == (1, 3)


def test_normalise_keeps_invisible_characters() -> None:
    # Existing callers rely on normalise being length-preserving; dropping is a separate step.
    assert normalise("1\u200b2") == "1\u200b2"
