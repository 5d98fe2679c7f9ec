"""Tenant-isolated retrieval over the partitioned FAISS index (index_store), ranked by
similarity blended with performance (ranking)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from offergen.errors import ConfigError, NotReadyError
from offergen.retrieval.base import Embedder, KnowledgeSource, RetrievedItem
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import (
    SHARED,
    LoadedIndex,
    Partition,
    embedder_id,
    load_index,
    partition_key,
    read_index_meta,
)
from offergen.retrieval.ranking import RankingParams, blended_score, performance_lift
from offergen.schemas import Channel, MerchantRule, PastOffer, SourceKind
from offergen.store.tenancy import tenant_scope

__all__ = ["FaissRetriever"]

log = logging.getLogger(__name__)


class FaissRetriever:
    """A merchant's own rules and past offers plus past offers marked shareable, never more.

    Isolation holds twice: only the merchant's partitions and the shared one are searched, and
    every hit is checked against its current database record (which also drops items flagged or
    edited since the index was built). Over-fetching `candidate_factor * k` leaves room for the
    performance re-rank; if checks drop too many, the search widens until k items are found or
    the partitions are exhausted. With `channel`, items of that channel come first (each group by
    score): few-shot examples of the same channel teach the right length.

    The index is loaded read-only; a newer version written by `offergen index build` (or the API's
    import) is picked up within `reload_interval` seconds.
    """

    def __init__(
        self,
        index_dir: Path,
        kb: KnowledgeSource,
        embedder: Embedder,
        *,
        index_params: IndexParams | None = None,
        ranking: RankingParams | None = None,
        candidate_factor: int = 4,
        reload_interval: float = 2.0,
    ) -> None:
        self.index_dir = index_dir
        self.kb = kb
        self.embedder = embedder
        self.index_params = index_params or IndexParams()
        self.ranking = ranking or RankingParams()
        self.candidate_factor = candidate_factor
        self.reload_interval = reload_interval
        self._index: LoadedIndex | None = None
        self._priors: dict[str, float] = {}
        self._checked = 0.0
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()  # recent query vectors
        self._cache_lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._index is not None

    @property
    def version(self) -> str | None:
        return None if self._index is None else self._index.meta.version

    def warm_up(self) -> None:
        if self._index is None:
            self.embedder.warm_up()
            self._load()

    def _load(self) -> None:
        loaded = load_index(self.index_dir, self.index_params)
        if (loaded.meta.embedder, loaded.meta.dim) != (
            embedder_id(self.embedder),
            self.embedder.dim,
        ):
            raise ConfigError(
                f"index at {self.index_dir} was built with {loaded.meta.embedder}/"
                f"{loaded.meta.dim}, serving with {embedder_id(self.embedder)}/"
                f"{self.embedder.dim}: run `offergen index build`"
            )
        self._priors = {
            ch: (r / n if n else 0.0) for ch, (r, n) in self.kb.redemption_priors().items()
        }
        self._index = loaded
        self._checked = time.monotonic()
        log.info("index %s loaded: %d items", loaded.meta.version[:12], loaded.meta.count)

    def _maybe_reload(self) -> None:
        if time.monotonic() - self._checked < self.reload_interval:
            return
        with self._lock:
            if time.monotonic() - self._checked < self.reload_interval:
                return
            self._checked = time.monotonic()
            meta = read_index_meta(self.index_dir)
            if meta is not None and self._index is not None and meta.version != self.version:
                try:
                    self._load()
                except Exception as e:  # keep serving the index we have
                    log.error("index reload failed, keeping version %s: %s", self.version, e)

    def retrieve(
        self,
        merchant_id: str,
        query: str,
        k: int,
        kind: SourceKind | None = None,
        channel: Channel | None = None,
    ) -> list[RetrievedItem]:
        if self._index is None:
            raise NotReadyError("retriever is not warmed up")
        if k < 1:
            raise ValueError("k must be >= 1")
        merchant = self.kb.merchant(merchant_id)  # unknown merchant -> NotFoundError
        # Shareable offers are shared within the merchant's tenant only, whoever asks.
        with tenant_scope(merchant.tenant):
            return self._retrieve(merchant_id, query, k, kind, channel)

    def _retrieve(
        self,
        merchant_id: str,
        query: str,
        k: int,
        kind: SourceKind | None,
        channel: Channel | None,
    ) -> list[RetrievedItem]:
        self._maybe_reload()
        index = self._index
        assert index is not None  # retrieve() checked; a reload only ever replaces it
        kinds = [kind] if kind is not None else list(SourceKind)
        keys = [partition_key(merchant_id, kd) for kd in kinds]
        if SourceKind.past_offer in kinds:
            keys.append(SHARED)
        parts = [index.partitions[key] for key in keys if key in index.partitions]
        largest = max((len(p.ids) for p in parts), default=0)
        if largest == 0:
            return []
        qv = self._embed(query)

        fetch = k * self.candidate_factor
        while True:
            hits = self._search(parts, qv, min(fetch, largest), merchant_id, kinds)
            if len(hits) >= k or fetch >= largest:
                break
            fetch *= 4  # checks dropped too many: widen rather than return fewer than k
        if channel is not None:
            hits.sort(key=lambda h: (_channel_of(h) not in (None, channel), -h.score))
        else:
            hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def _embed(self, query: str) -> np.ndarray:
        """One request retrieves offers and rules with the same query: embed it once."""
        with self._cache_lock:
            vec = self._queries.pop(query, None)
        if vec is None:
            vec = np.ascontiguousarray(self.embedder.encode([query]), dtype=np.float32)
        with self._cache_lock:
            self._queries[query] = vec
            while len(self._queries) > 256:
                self._queries.popitem(last=False)
        return vec

    def _search(
        self,
        parts: list[Partition],
        qv: np.ndarray,
        fetch: int,
        merchant_id: str,
        kinds: list[SourceKind],
    ) -> list[RetrievedItem]:
        found: dict[SourceKind, dict[str, float]] = {kd: {} for kd in kinds}
        for part in parts:
            kd = (
                SourceKind(part.key.rsplit(":", 1)[-1])
                if part.key != SHARED
                else (SourceKind.past_offer)
            )
            sims, positions = part.index.search(qv, min(fetch, len(part.ids)))
            for sim, pos in zip(sims[0], positions[0], strict=True):
                if pos >= 0:
                    found[kd][part.ids[int(pos)]] = float(sim)
        hits: list[RetrievedItem] = []
        for kd, sims_by_id in found.items():
            records = self.kb.records(kd, list(sims_by_id))
            for item_id, sim in sims_by_id.items():
                record = records.get(item_id)
                if record is None:
                    continue  # flagged, rejected or deleted since the index was built
                shareable = isinstance(record, PastOffer) and record.shareable
                if record.merchant_id != merchant_id and not shareable:
                    # cannot happen with per-merchant partitions; isolation must not rest on that
                    log.error("isolation: dropped %s from results for %s", item_id, merchant_id)
                    continue
                hits.append(
                    RetrievedItem(
                        id=item_id,
                        kind=kd,
                        merchant_id=record.merchant_id,
                        shareable=shareable,
                        score=blended_score(sim, self._lift(record), self.ranking),
                        similarity=sim,
                        text=record.text,
                        record=record,
                    )
                )
        return hits

    def _lift(self, record: PastOffer | MerchantRule) -> float:
        if not isinstance(record, PastOffer):
            return 0.0
        prior = self._priors.get(record.channel.value, 0.0)
        return performance_lift(record.redemptions, record.sent, prior, self.ranking.prior_sends)


def _channel_of(item: RetrievedItem) -> Channel | None:
    return item.record.channel if isinstance(item.record, PastOffer) else None
