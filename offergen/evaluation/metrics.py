"""The figures of one run: pass rates by assertion, check, channel, jurisdiction and OWASP LLM
Top 10 id, critical failures, what the guard caught, attempts, latency, and per-check
precision/recall on labelled texts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from offergen.evaluation.assertions.fires import FiresParams
from offergen.evaluation.case import Case
from offergen.evaluation.guard_corpus import FIRING, Counts, fired_checks, tally
from offergen.evaluation.results import CaseResult, CheckScore, Rate, Summary


def summarize(pairs: Sequence[tuple[Case, CaseResult]]) -> Summary:
    assertions: dict[str, Rate] = {}
    channels: dict[str, Rate] = {}
    jurisdictions: dict[str, Rate] = {}
    owasp: dict[str, Rate] = {}
    critical = Rate()
    findings: Counter[str] = Counter()
    attempts: Counter[str] = Counter()
    per_check: dict[str, Counts] = {}
    latencies: list[float] = []
    variants = released = first_try = drafts = drafts_held = 0
    for case, result in pairs:
        out = result.outcome
        for a in result.assertions:
            assertions.setdefault(a.type, Rate()).add(a.passed)
        channels.setdefault(out.channel.value, Rate()).add(result.passed)
        jurisdictions.setdefault(out.jurisdiction.value, Rate()).add(result.passed)
        for tag in dict.fromkeys(result.owasp):
            owasp.setdefault(tag, Rate()).add(result.passed)
        if result.critical:
            critical.add(result.passed)
        for v in out.variants:
            variants += 1
            released += v.released
            first_try += v.released and v.attempts == 1
            if out.kind == "generate":
                attempts[str(v.attempts)] += 1
        for d in out.drafts:
            drafts += 1
            drafts_held += not d.released
            findings.update({f.check for f in [*d.findings, *d.fixes] if f.severity in FIRING})
        if out.kind == "generate" and out.error is None and out.refused is None:
            latencies.append(out.latency_ms)
        for spec in case.assertions:
            if isinstance(spec, FiresParams):
                for v in out.variants:
                    fired = fired_checks(v.findings, v.fixes)
                    tally(per_check, set(spec.value), fired, set(spec.tolerate))
    cases = len(pairs)
    passed = sum(r.passed for _, r in pairs)
    summary = Summary(
        cases=cases,
        passed=passed,
        errors=sum(r.outcome.error is not None for _, r in pairs),
        refused=sum(r.outcome.refused is not None for _, r in pairs),
        pass_rate=passed / cases if cases else None,
        assertions=dict(sorted(assertions.items())),
        channels=dict(sorted(channels.items())),
        jurisdictions=dict(sorted(jurisdictions.items())),
        owasp=dict(sorted(owasp.items())),
        critical=critical,
        findings=dict(sorted(findings.items())),
        variants=variants,
        released=released,
        release_rate=released / variants if variants else None,
        first_try_rate=first_try / variants if variants else None,
        drafts=drafts,
        drafts_held=drafts_held,
        hold_rate=drafts_held / drafts if drafts else None,
        attempts=dict(sorted(attempts.items(), key=lambda kv: int(kv[0]))),
        latency_ms=_latency(latencies),
        guard={
            name: CheckScore(tp=c.tp, fp=c.fp, fn=c.fn, precision=c.precision, recall=c.recall)
            for name, c in sorted(per_check.items())
        },
        metrics={},
    )
    summary.metrics = flat_metrics(summary)
    return summary


def _latency(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {}
    ordered = sorted(ms)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def flat_metrics(s: Summary) -> dict[str, float]:
    """The figures by the names thresholds use; a figure with no data is left out."""
    out: dict[str, float | None] = {
        "pass_rate": s.pass_rate,
        "release_rate": s.release_rate,
        "first_try_rate": s.first_try_rate,
        "hold_rate": s.hold_rate,
        "errors": s.errors,
        "refused": s.refused,
        "critical_failures": s.critical.total - s.critical.passed if s.critical.total else None,
    }
    out |= {f"latency_ms.{k}": v for k, v in s.latency_ms.items()}
    out |= {f"assertion.{k}": r.rate for k, r in s.assertions.items()}
    out |= {f"channel.{k}": r.rate for k, r in s.channels.items()}
    out |= {f"jurisdiction.{k}": r.rate for k, r in s.jurisdictions.items()}
    out |= {f"owasp.{k}": r.rate for k, r in s.owasp.items()}
    out |= {f"precision.{k}": c.precision for k, c in s.guard.items()}
    out |= {f"recall.{k}": c.recall for k, c in s.guard.items()}
    return {k: float(v) for k, v in out.items() if v is not None}
