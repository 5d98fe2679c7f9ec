"""Text helpers: folding keeps one character per character, so spans stay valid."""

from __future__ import annotations

import re

import pytest

from offergen.guardrails.text import MASK_CHAR, mask_pattern, mask_spans, normalise


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
