"""Calibrate the semantic layer's thresholds (guardrails/data/semantic/thresholds.yaml).

Scored as the whole check: a check fires on a case when its phrase lists do, or when one
sentence's closest rule exemplar clears the `threshold` and leads the closest clean exemplar by the
`margin` (and the check's own filters, such as `allowed_if`, let it through). Per family (claims,
fairness, unsafe_output) the chosen pair has the highest recall on the cases labelled with that
family among the pairs that
- fire on no more than `--max-clean-fp` of the clean cases (`expect.fires` empty), and
- keep the check's precision over all cases at or above `--min-precision`;
ties go to the stricter pair.

Run: `.venv/bin/python eval/guard/calibrate_semantic.py [CORPUS ...]` (default: the paraphrase
calibration split and the guard corpus, plus the demo knowledge base's past offers as clean
copy). Never pass the held-out split.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from offergen.demo.generator import generate_demo_kb
from offergen.evaluation.guard_corpus import FIRING, CorpusCase, Expect, load_corpus
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.claims import ClaimsCheck, ClaimsParams
from offergen.guardrails.checks.fairness import FairnessCheck, FairnessParams
from offergen.guardrails.checks.unsafe_output import UnsafeOutputCheck, UnsafeOutputParams
from offergen.guardrails.semantic import FAMILIES
from offergen.schemas import Severity

HERE = Path(__file__).resolve().parent
DEFAULT = [HERE / "paraphrase" / "calibration.jsonl", HERE / "corpus.jsonl"]
THRESHOLDS = np.round(np.arange(0.40, 0.91, 0.01), 2)
MARGINS = np.round(np.arange(0.00, 0.21, 0.01), 2)
CHECKS = {
    "claims": (ClaimsCheck, ClaimsParams),
    "fairness": (FairnessCheck, FairnessParams),
    "unsafe_output": (UnsafeOutputCheck, UnsafeOutputParams),
}


def checks(family: str) -> tuple[Any, Any]:
    """The family's check with phrase lists only, and with every semantic candidate let through
    (threshold and margin opened up) so the check's own filters (allowed_if, overlaps) apply."""
    cls, params = CHECKS[family]
    phrases_only = cls(params(semantic=False), Severity.block)
    everything = cls(params(), Severity.block)
    everything.semantic.threshold, everything.semantic.margin = -1.0, -2.0
    return phrases_only, everything


def case_scores(family: str, cases: Sequence[CorpusCase]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per case: whether the phrase lists fire, and the (score, lead) of each sentence the
    semantic layer could report."""
    phrases_only, everything = checks(family)
    fired, pairs = [], []
    for case in cases:
        ctx = CheckContext(offer=case.offer, channel=case.channel, jurisdiction=case.jurisdiction)
        fired.append(any(f.severity in FIRING for f in phrases_only.check(case.text, ctx)))
        scored = {(h.start, h.end): h for h in everything.semantic.candidates(case.text)}
        found = everything.check(case.text, ctx)
        spans = {(f.start, f.end) for f in found if f.severity in FIRING}
        rows = [(h.score, h.score - h.clean_score) for key, h in scored.items() if key in spans]
        pairs.append(np.array(rows, dtype=float).reshape(-1, 2))
    return np.array(fired), pairs


def calibrate(
    family: str, cases: Sequence[CorpusCase], max_clean_fp: float, min_precision: float
) -> None:
    phrase_fired, per_case = case_scores(family, cases)
    positive = np.array([family in c.expect.fires for c in cases])
    clean = np.array([not c.expect.fires for c in cases])
    tolerated = np.array([family in c.expect.may_fire for c in cases])

    def score(fired: np.ndarray) -> tuple[float, float, float]:
        tp, fp = int((fired & positive).sum()), int((fired & ~positive & ~tolerated).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        return tp / max(1, positive.sum()), precision, float((fired & clean).mean() / clean.mean())

    print(f"{family}: {positive.sum()} positive / {clean.sum()} clean of {len(cases)} cases")
    recall, precision, clean_fp = score(phrase_fired)
    print(
        f"  phrase lists only: recall {recall:.3f}, precision {precision:.3f}, clean {clean_fp:.2%}"
    )
    best: tuple[float, float, float, float, float] | None = None
    for t in THRESHOLDS:
        for mg in MARGINS:
            semantic = np.array([bool(((p[:, 0] >= t) & (p[:, 1] >= mg)).any()) for p in per_case])
            recall, precision, clean_fp = score(phrase_fired | semantic)
            if clean_fp > max_clean_fp or precision < min_precision:
                continue
            if best is None or (recall, t + mg) > (best[2], best[0] + best[1]):
                best = (float(t), float(mg), recall, precision, clean_fp)
    if best is None:
        print("  no pair meets the constraints")
        return
    t, mg, recall, precision, clean_fp = best
    print(
        f"  with semantic, threshold {t:.2f} margin {mg:.2f}: recall {recall:.3f}, "
        f"precision {precision:.3f}, clean {clean_fp:.2%}"
    )


def demo_copy(per_merchant: int) -> list[CorpusCase]:
    """The demo knowledge base's past offers (the service's own released copy) as clean cases."""
    kb = generate_demo_kb(offers_per_merchant=per_merchant)
    return [
        CorpusCase(
            id=f"demo-{past.id}",
            text=past.text,
            channel=past.channel,
            offer=past.offer,
            expect=Expect(released=True),
        )
        for past in kb.past_offers
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--max-clean-fp", type=float, default=0.0)
    parser.add_argument(
        "--demo-offers", type=int, default=8, help="demo past offers per merchant, as clean cases"
    )
    parser.add_argument("--min-precision", type=float, default=0.95)
    args = parser.parse_args(argv)
    if any("heldout" in p.name for p in args.corpora):
        print("refusing to calibrate on a held-out split", file=sys.stderr)
        return 2
    cases = [case for path in args.corpora for case in load_corpus(path)]
    cases += demo_copy(args.demo_offers)
    for family in FAMILIES:
        calibrate(family, cases, args.max_clean_fp, args.min_precision)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
