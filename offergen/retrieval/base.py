"""Protocols of the retrieval stage."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from offergen.schemas import Channel, Merchant, MerchantRule, PastOffer, SourceKind
from offergen.store.knowledge_base import IndexRecord


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    dim: int

    def warm_up(self) -> None: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


class RetrievedItem(BaseModel):
    """One rule or past offer, with why it ranked where it did."""

    id: str
    kind: SourceKind
    merchant_id: str
    shareable: bool
    score: float  # what the ranking sorts by (offergen.retrieval.ranking)
    similarity: float  # cosine of query and document
    text: str
    record: PastOffer | MerchantRule


class Retriever(Protocol):
    def warm_up(self) -> None: ...

    def retrieve(
        self,
        merchant_id: str,
        query: str,
        k: int,
        kind: SourceKind | None = None,
        channel: Channel | None = None,
    ) -> list[RetrievedItem]: ...


class KnowledgeSource(Protocol):
    """What retrieval reads of the knowledge base (`offergen.store.knowledge_base` implements
    it). Lookups honour the caller's tenant scope; `indexable` sees every tenant."""

    def merchant(self, merchant_id: str) -> Merchant: ...

    def records(
        self, kind: SourceKind, ids: Sequence[str]
    ) -> dict[str, PastOffer] | dict[str, MerchantRule]: ...

    def redemption_priors(self) -> dict[str, tuple[int, int]]: ...

    def indexable(self) -> Iterator[IndexRecord]: ...
