"""The overview: release rate, holds by check and latency over time, from the caller's
tenant's audit trail (the same query as `/v1/audit/records`) over the last days."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from offergen.api.principal import Principal
from offergen.app_context import AppContext
from offergen.console.charts import line
from offergen.evaluation.svg import bars
from offergen.store.base import AuditRecord

DAYS = 7
_PAGE = 500
MAX_RECORDS = 10_000  # read at most this many records for the charts


@dataclass(frozen=True)
class Overview:
    records: int
    requests: int
    released: int
    pending_reviews: int
    truncated: bool
    charts: list[Markup]  # SVG built with every label escaped (offergen/evaluation/svg.py)

    @property
    def release_rate(self) -> float | None:
        return self.released / self.records if self.records else None


def overview(ctx: AppContext, principal: Principal, now: datetime | None = None) -> Overview:
    now = now or datetime.now(UTC)
    since = now - timedelta(days=DAYS)
    records: list[AuditRecord] = []
    offset = 0
    while offset < MAX_RECORDS:
        page = ctx.audit.query(principal.tenant, since=since, offset=offset, limit=_PAGE)
        records += page.items
        if page.next_offset is None:
            break
        offset = page.next_offset
    truncated = offset >= MAX_RECORDS
    pending = ctx.reviews.pending(principal.tenant, limit=1).total
    return Overview(
        records=len(records),
        requests=len({r.request_id for r in records}),
        released=sum(r.released for r in records),
        pending_reviews=pending,
        truncated=truncated,
        charts=[Markup(c) for c in _charts(records, now)],
    )


def _charts(records: list[AuditRecord], now: datetime) -> list[str]:
    if not records:
        return []
    by_day: dict[str, list[bool]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r.created_at):
        by_day[r.created_at.strftime("%m-%d")].append(r.released)
    release = bars(
        "Release rate per day",
        [(day, sum(v) / len(v), f"{100 * sum(v) / len(v):.0f}% of {len(v)}")
         for day, v in by_day.items()],
    )  # fmt: skip
    holds = Counter(
        check for r in records if not r.released for check in {f.check for f in r.findings}
    )
    held = bars(
        "Held variants by check",
        [(check, n, str(n)) for check, n in holds.most_common(12)] or [("none held", 0, "0")],
        scale=max(holds.values(), default=1),
    )
    per_request: dict[str, tuple[datetime, float]] = {}
    for r in records:
        total = r.timings_ms.get("total_ms")
        if total is not None:
            per_request[r.request_id] = (r.created_at, total)
    latency: dict[str, list[float]] = defaultdict(list)
    span = now - min(at for at, _ in per_request.values()) if per_request else timedelta(0)
    for at, ms in sorted(per_request.values()):
        key = at.strftime("%H:00") if span < timedelta(days=1) else at.strftime("%m-%d")
        latency[key].append(ms)
    lat = line(
        "Request latency (median per bucket)",
        [(k, statistics.median(v)) for k, v in latency.items()],
        unit=" ms",
        series="hours over the last day, else days",
    )
    return [release, held, lat]
