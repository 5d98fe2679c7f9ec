"""Digits as US and EU copy write them: which separator groups thousands, which marks decimals."""

from __future__ import annotations

import pytest

from offergen.guardrails.number_formats import parse_number


@pytest.mark.parametrize(
    ("raw", "us", "eu"),
    [
        ("5", 5, 5),
        ("19.99", 19.99, 19.99),
        ("18.9", 18.9, 18.9),
        ("19,99", 19.99, 19.99),
        ("10,5", 10.5, 10.5),
        ("1,500", 1500, 1500),
        ("1,000.50", 1000.5, 1000.5),
        # A dot before exactly three digits groups thousands in EU copy only.
        ("1.500", 1.5, 1500),
        ("12.345.678", None, 12345678),
        ("1.500,50", 1500.5, 1500.5),
        ("1.5000", 1.5, 1.5),
        # A group never starts with 0: "0.125" is a decimal everywhere.
        ("0.125", 0.125, 0.125),
        ("1 500", None, 1500),
        ("1 500,50", None, 1500.5),
    ],
)
def test_parse_number(raw: str, us: float | None, eu: float) -> None:
    if us is not None:
        assert parse_number(raw) == pytest.approx(us)
    assert parse_number(raw, dot_groups_thousands=True) == pytest.approx(eu)
