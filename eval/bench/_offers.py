"""The offers the generation, oversampling and campaign benchmarks send: a mix of merchants,
offer kinds and channels from the demo knowledge base."""

from __future__ import annotations

OFFERS = [
    ("m_freshmart", "sms", {"kind": "cashback", "value": 5, "unit": "percent", "min_spend": 50}),
    ("m_skyhop_airways", "push", {"kind": "points", "value": 3, "unit": "multiplier"}),
    ("m_bella_forno", "email", {"kind": "discount", "value": 10, "unit": "amount"}),
    ("m_voltix", "sms", {"kind": "bnpl", "installments": 4}),
    ("m_harvest_lane", "in_app", {"kind": "cashback", "value": 20, "unit": "amount"}),
    ("m_urban_bowl", "push", {"kind": "discount", "value": 15, "unit": "percent"}),
    ("m_binge_bay", "email", {"kind": "free_shipping"}),
    ("m_apex_petrol", "sms", {"kind": "cashback", "value": 3, "unit": "percent"}),
]
