from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import NotFoundError
from offergen.guardrails.packs import INPUT_SCREENING, Packs, default_pack
from offergen.schemas import Jurisdiction

GUARDRAILS = Path(__file__).resolve().parents[2] / "guardrails"


def test_defaults_by_jurisdiction_and_loaded_once() -> None:
    packs = Packs(GUARDRAILS)
    packs.warm_up()
    assert packs.for_copy(Jurisdiction.EU).name == "eu-default"
    assert packs.for_copy(Jurisdiction.US) is packs.get(default_pack(Jurisdiction.US))
    assert packs.get(INPUT_SCREENING).name == INPUT_SCREENING


def test_a_named_policy_overrides_the_default() -> None:
    assert Packs(GUARDRAILS).for_copy(Jurisdiction.US, "eu-default").name == "eu-default"


def test_unknown_policy_is_not_found_and_lists_the_packs() -> None:
    with pytest.raises(
        NotFoundError, match=r"unknown policy pack 'strict'; available: .*us-default"
    ):
        Packs(GUARDRAILS).for_copy(Jurisdiction.US, "strict")
