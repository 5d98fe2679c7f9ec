"""The demo KB as a whole: deterministic, unchanged, sized as promised, cut down consistently."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.schemas import Channel, RuleKind

# Written by the generator before it moved out of offergen/retrieval (3 merchants x 10 offers,
# seed 7, the shipped guard limits); any change to the data files or the logic that changes a
# single record shows here.
SNAPSHOT = Path(__file__).parent / "fixtures" / "demo_kb_3x10.json"


def _as_json(kb: DemoKB) -> dict[str, list[dict[str, object]]]:
    return {
        "merchants": [m.model_dump(mode="json") for m in kb.merchants],
        "rules": [r.model_dump(mode="json") for r in kb.rules],
        "past_offers": [p.model_dump(mode="json") for p in kb.past_offers],
    }


def test_output_is_unchanged_from_the_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert _as_json(generate_demo_kb(n_merchants=3, offers_per_merchant=10)) == expected


def test_same_seed_same_kb(full_demo: DemoKB) -> None:
    again = generate_demo_kb()
    assert again.merchants == full_demo.merchants
    assert again.rules == full_demo.rules
    assert again.past_offers == full_demo.past_offers
    small = {"n_merchants": 5, "offers_per_merchant": 10}
    other = generate_demo_kb(seed=8, **small)
    mine = generate_demo_kb(seed=7, **small)
    assert [p.text for p in other.past_offers] != [p.text for p in mine.past_offers]
    assert [p.sent for p in other.past_offers] != [p.sent for p in mine.past_offers]


def test_a_merchants_records_do_not_depend_on_kb_size(full_demo: DemoKB) -> None:
    small = generate_demo_kb(n_merchants=13)
    ids = {m.id for m in small.merchants}
    assert small.past_offers == [p for p in full_demo.past_offers if p.merchant_id in ids]
    assert len({m.category for m in small.merchants}) == 13  # round-robin over categories


def test_sizes_and_categories(full_demo: DemoKB) -> None:
    assert len(full_demo.merchants) >= 60
    assert len({m.category for m in full_demo.merchants}) >= 12
    assert len(full_demo.rules) >= 300
    assert 5000 <= len(full_demo.past_offers) <= 5800
    ids = [m.id for m in full_demo.merchants]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"m_[a-z0-9_]+", i) for i in ids)
    assert all(m.brand_voice for m in full_demo.merchants)
    per_merchant = Counter(p.merchant_id for p in full_demo.past_offers)
    assert set(per_merchant) == set(ids)
    assert all(70 <= n <= 90 for n in per_merchant.values())
    rules = Counter(r.merchant_id for r in full_demo.rules)
    assert all(4 <= rules[i] <= 7 for i in ids)
    for mid in ids:  # every merchant has one rule of each kind
        assert {r.kind for r in full_demo.rules if r.merchant_id == mid} == set(RuleKind)
    assert len({p.id for p in full_demo.past_offers}) == len(full_demo.past_offers)
    assert all(re.fullmatch(r"po_[a-z0-9_]+_\d{3}", p.id) for p in full_demo.past_offers)
    assert len({r.id for r in full_demo.rules}) == len(full_demo.rules)
    assert Counter(p.channel for p in full_demo.past_offers).keys() == set(Channel)


@pytest.mark.parametrize("kwargs", [{"n_merchants": 0}, {"offers_per_merchant": -1}])
def test_bad_sizes_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo_kb(**kwargs)
