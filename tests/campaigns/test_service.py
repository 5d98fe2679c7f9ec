"""Submissions through the service: what generation would refuse is refused before anything is
stored, in the tenant's view of the knowledge base."""

from __future__ import annotations

import pytest

from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.schemas import CampaignSubmit
from offergen.campaigns.service import Admission, Campaigns
from offergen.errors import InvalidInputError
from offergen.pipeline import Pipeline
from tests.campaigns.cheap_pipeline import request
from tests.campaigns.conftest import MakeCheap

CARD = "4111 1111 1111 1111"


def _admission(pipeline: Pipeline) -> Admission:
    g = pipeline.grounder
    return Admission(g.screener, g.preflight, g.kb, pipeline.profile.name)


def test_the_check_names_each_problem_without_its_value(make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap()
    check = _admission(pipeline).check()
    assert check(request(0)) == []
    pii = check(request(0, customer={"segment": f"card {CARD}", "interests": ["ok"]}))
    assert [f for f, _ in pii] == ["customer.segment"]
    assert all("4111" not in reason for _, reason in pii)
    assert check(request(0, merchant="m_nobody")) == [
        ("merchant_id", "unknown merchant (or another tenant's)")
    ]
    [(field, reason)] = check(request(0, model="another-model"))
    assert field == "model" and "embedded" in reason


def test_submit_is_all_or_nothing_and_tenant_scoped(make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap()
    campaigns = Campaigns(CampaignStore(pipeline.grounder.kb.db), _admission(pipeline))
    items = [request(0).model_dump(mode="json"), request(1, merchant="m_bella_forno").model_dump()]
    with pytest.raises(InvalidInputError) as exc:
        campaigns.submit(CampaignSubmit(items=items), tenant="acme")  # bella forno is globex's
    assert exc.value.fields == [("items.1.merchant_id", "unknown merchant (or another tenant's)")]
    with pytest.raises(InvalidInputError) as exc:
        campaigns.submit(CampaignSubmit(items=items), tenant="globex")  # freshmart is acme's
    assert [f for f, _ in exc.value.fields] == ["items.0.merchant_id"]
    assert campaigns.store.open_items() == 0  # nothing stored by either
    created = campaigns.submit(CampaignSubmit(items=items[1:]), tenant="globex")
    assert campaigns.status(created.id, "globex").total == 1
    created = campaigns.submit(CampaignSubmit(items=items), tenant=None)  # keyless: every tenant
    assert campaigns.status(created.id, None).total == 2


def test_items_whose_terms_break_a_merchant_rule_are_refused_by_path(make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap()
    campaigns = Campaigns(CampaignStore(pipeline.grounder.kb.db), _admission(pipeline))
    over = {"kind": "cashback", "merchant": "FreshMart", "value": 40, "unit": "percent"}
    items = [request(0).model_dump(mode="json"), request(1, offer=over).model_dump(mode="json")]
    with pytest.raises(InvalidInputError) as exc:
        campaigns.submit(CampaignSubmit(items=items), tenant="acme")
    [(field, reason)] = exc.value.fields
    assert field == "items.1.offer.value" and "r_freshmart_03" in reason and "12%" in reason
    assert campaigns.store.open_items() == 0  # nothing stored
