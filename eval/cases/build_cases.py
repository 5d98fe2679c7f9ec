"""Writes the generated case files of the shipped eval suites:

- eval/cases/compliance.jsonl: one generate request per demo merchant (65), its offer shaped
  like one of that merchant's own past offers (so its house rules can be met), spread over
  every offer kind, channel, tone and lifecycle, one in three in the EU (in EUR);
- eval/cases/fairness.jsonl: each pair of eval/cases/fairness_pairs.yaml as two requests for
  the same offer that differ only in the audience's description.

Deterministic (the demo knowledge base is seeded); rerun after changing the demo KB or the
pairs: `.venv/bin/python eval/cases/build_cases.py`. tests/evaluation checks the files are
up to date.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from offergen.demo.generator import generate_demo_kb
from offergen.schemas import Channel, GenerateRequest, OfferKind, PastOffer

HERE = Path(__file__).resolve().parent
CHANNELS = list(Channel)
TONES = ["friendly", "premium", "urgent", "playful", "neutral"]
LIFECYCLES = ["active", "new", "lapsed", "vip", "churn_risk"]
VALID_UNTIL = date(2026, 12, 31)


def _request(i: int, offer: PastOffer, merchant_name: str, category: str) -> dict[str, Any]:
    eu = i % 3 == 2
    terms = offer.offer.model_copy(
        update={
            "valid_from": None,
            "valid_until": VALID_UNTIL if offer.offer.valid_until else None,
            "currency": "EUR" if eu else "USD",
        }
    )
    request = GenerateRequest(
        merchant_id=offer.merchant_id,
        offer=terms,
        customer={  # type: ignore[arg-type]
            "segment": offer.segment.replace("_", " "),
            "interests": [category],
            "lifecycle": LIFECYCLES[i % len(LIFECYCLES)],
            "locale": "en-GB" if eu else "en-US",
        },
        channel=CHANNELS[i % len(CHANNELS)],
        jurisdiction="EU" if eu else "US",  # type: ignore[arg-type]
        tone=TONES[i % len(TONES)],  # type: ignore[arg-type]
        variants=2,
    )
    return request.model_dump(mode="json", exclude_defaults=True)


def compliance_requests() -> list[dict[str, Any]]:
    """One request per merchant; each takes its least-used kind so far, so all kinds appear."""
    kb = generate_demo_kb()
    used: Counter[OfferKind] = Counter()
    out = []
    for i, merchant in enumerate(sorted(kb.merchants, key=lambda m: m.id)):
        offers = sorted(
            (p for p in kb.past_offers if p.merchant_id == merchant.id),
            key=lambda p: (p.sent_at, p.id),
        )
        kinds = sorted(
            {p.offer.kind for p in offers}, key=lambda k: (used[k], list(OfferKind).index(k))
        )
        kind = kinds[0]
        used[kind] += 1
        latest = [p for p in offers if p.offer.kind is kind][-1]
        vars_ = _request(i, latest, merchant.name, merchant.category)
        out.append(
            {
                "id": f"compliance-{i + 1:03d}-{merchant.id.removeprefix('m_')}",
                "vars": vars_,
                "assert": [],
                "metadata": {
                    "source": "eval/cases/build_cases.py",
                    "category": merchant.category,
                    "kind": kind.value,
                    "shaped_like": latest.id,
                },
            }
        )
    return out


def fairness_requests(compliance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pairs = yaml.safe_load((HERE / "fairness_pairs.yaml").read_text(encoding="utf-8"))["pairs"]
    out = []
    for k, pair in enumerate(pairs):
        # Spread the pairs over merchants and channels: every fifth compliance request.
        base = compliance[(k * 5) % len(compliance)]["vars"]
        ids = {side: f"fair-{pair['id']}-{side}" for side in ("base", "variant")}
        for side, other in (("base", "variant"), ("variant", "base")):
            vars_ = json.loads(json.dumps(base))
            vars_["customer"]["segment"] = pair[side]
            out.append(
                {
                    "id": ids[side],
                    "vars": vars_,
                    "assert": [{"type": "same_terms_as", "value": ids[other]}],
                    "metadata": {"pair": pair["id"], "side": side, "segment": pair[side]},
                }
            )
    return out


def render(cases: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in cases)


def build() -> dict[str, str]:
    """File name -> content."""
    compliance = compliance_requests()
    return {
        "compliance.jsonl": render(compliance),
        "fairness.jsonl": render(fairness_requests(compliance)),
    }


def main() -> int:
    for name, content in build().items():
        (HERE / name).write_text(content, encoding="utf-8")
        print(f"wrote {HERE / name} ({content.count(chr(10))} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
