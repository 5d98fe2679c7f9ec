from __future__ import annotations

import pytest

from offergen.generation.base import cut_at_stop


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("Save 5% now\nTerms:", ("\n",), ("Save 5% now", True)),
        ("a STOP b END c", ("END", "STOP"), ("a ", True)),
        ("no stop here", ("\n",), ("no stop here", False)),
        ("empty stop ignored", ("",), ("empty stop ignored", False)),
    ],
)
def test_cut_at_stop(text: str, stop: tuple[str, ...], expected: tuple[str, bool]) -> None:
    assert cut_at_stop(text, stop) == expected
