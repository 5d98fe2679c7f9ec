"""Protocols of the retrieval stage."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from pydantic import BaseModel

from offergen.schemas import Channel, MerchantRule, PastOffer, SourceKind


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
