"""A case's seeded knowledge (`kb:`): past offers and merchant rules that retrieval returns first
for that case alone, as if they had been ingested for the case's merchant. The shared knowledge
base and index are untouched; the case runs on a copy of the pipeline whose retriever sees the
seeded documents (red-team cases use it for indirect injection: a poisoned past offer or rule).
"""

from __future__ import annotations

import dataclasses

from offergen.evaluation.case import SeededKnowledge
from offergen.pipeline import Pipeline
from offergen.retrieval.base import RetrievedItem, Retriever
from offergen.schemas import Channel, MerchantRule, PastOffer, SourceKind


@dataclasses.dataclass
class SeededRetriever:
    """`inner`'s results, with the seeded documents of the asked merchant and kind first."""

    inner: Retriever
    seeded: SeededKnowledge

    def warm_up(self) -> None:
        self.inner.warm_up()

    def retrieve(
        self,
        merchant_id: str,
        query: str,
        k: int,
        kind: SourceKind | None = None,
        channel: Channel | None = None,
    ) -> list[RetrievedItem]:
        docs: list[tuple[SourceKind, bool, PastOffer | MerchantRule]] = [
            (SourceKind.past_offer, d.shareable, d) for d in self.seeded.past_offers
        ]
        docs += [(SourceKind.merchant_rule, False, r) for r in self.seeded.rules]
        items = [
            RetrievedItem(
                id=d.id,
                kind=doc_kind,
                merchant_id=d.merchant_id,
                shareable=shareable,
                score=1.0,
                similarity=1.0,
                text=d.text,
                record=d,
            )
            for doc_kind, shareable, d in docs
            if kind in (None, doc_kind) and d.merchant_id == merchant_id
        ]
        if len(items) >= k:
            return items[:k]
        ids = {i.id for i in items}
        rest = self.inner.retrieve(merchant_id, query, k, kind=kind, channel=channel)
        return items + [i for i in rest if i.id not in ids][: k - len(items)]


def seeded_pipeline(pipeline: Pipeline, seeded: SeededKnowledge) -> Pipeline:
    """A copy of `pipeline` (same backend, packs and audit) whose retrieval sees `seeded`."""
    grounder = dataclasses.replace(
        pipeline.grounder, retriever=SeededRetriever(pipeline.grounder.retriever, seeded)
    )
    return dataclasses.replace(pipeline, grounder=grounder)
