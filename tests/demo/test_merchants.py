"""Demo merchants: two tenants that own alternate categories."""

from __future__ import annotations

from collections import Counter

from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.demo.merchants import demo_tenants


def test_two_tenants_own_alternate_categories(full_demo: DemoKB) -> None:
    tenants = Counter(m.tenant for m in full_demo.merchants)
    assert set(tenants) == {"acme", "globex"} and min(tenants.values()) >= 25
    tenants_of = demo_tenants()
    for m in full_demo.merchants:  # a category belongs to one tenant
        assert m.tenant == tenants_of[m.category]
    # any cut of two merchants or more already holds both tenants
    assert {m.tenant for m in generate_demo_kb(n_merchants=2).merchants} == {"acme", "globex"}
