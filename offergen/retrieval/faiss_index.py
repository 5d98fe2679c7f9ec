"""FAISS index over past offers, built offline and swapped in atomically; a tenant-isolated
retriever on top of it.

Layout of an index directory: `index.faiss` (IndexIDMap2 over IndexFlatIP, int64 id = position in
`ids.json`), `ids.json` (past offer ids by position) and `meta.json` (kb_version, dim, count,
embedder). faiss is imported inside functions so importing this module stays cheap.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from offergen.errors import ConfigError, NotReadyError
from offergen.retrieval.base import Embedder, Retrieved, ScoredOffer
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.schemas import Channel, MerchantRule, OfferTerms, PastOffer
from offergen.terms import describe, reward

__all__ = [
    "FaissRetriever",
    "IndexMeta",
    "build_index",
    "embedder_id",
    "offer_document",
    "offer_query",
    "read_index_meta",
]

log = logging.getLogger(__name__)

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"
META_FILE = "meta.json"
_SEED_HINT = "run `offergen kb seed`"


class IndexMeta(BaseModel):
    kb_version: str
    dim: int
    count: int
    embedder: str


def embedder_id(embedder: Embedder) -> str:
    """What the index records about the embedder; a different one means the index is stale."""
    return str(getattr(embedder, "model_id", type(embedder).__name__))


# --- the texts that get embedded -----------------------------------------------------------------


def offer_document(p: PastOffer) -> str:
    """Document side: kind + channel + segment + the copy itself."""
    return f"{p.offer.kind.value} offer | {p.channel.value} | segment: {p.segment} | {p.text}"


def offer_query(offer: OfferTerms, channel: Channel, segment: str) -> str:
    """Query side, shaped like `offer_document` with the terms standing in for the copy."""
    body = f"{reward(offer)} at {offer.merchant}; {describe(offer)}"
    return f"{offer.kind.value} offer | {channel.value} | segment: {segment} | {body}"


# --- building ------------------------------------------------------------------------------------


def read_index_meta(index_dir: Path) -> IndexMeta | None:
    try:
        return IndexMeta.model_validate_json((index_dir / META_FILE).read_bytes())
    except (OSError, ValueError):
        return None


def _recover(index_dir: Path) -> None:
    """A crash between the two renames of a swap leaves no index_dir but an `.old-*` one."""
    if index_dir.exists():
        return
    olds = sorted(
        index_dir.parent.glob(f".{index_dir.name}.old-*"), key=lambda p: p.stat().st_mtime
    )
    if olds:
        log.warning("restoring index %s from %s after an interrupted swap", index_dir, olds[-1])
        try:
            os.replace(olds[-1], index_dir)
        except OSError:  # another process restored or rebuilt it first
            if not index_dir.exists():
                raise


def _swap_in(new: Path, target: Path) -> None:
    """Rename old aside, rename new in, delete old: readers see the old or the new index."""
    old: Path | None = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_index(
    kb: KnowledgeBase,
    embedder: Embedder,
    index_dir: Path,
    *,
    batch_size: int = 256,
    progress: bool = False,
) -> IndexMeta:
    """Embed every past offer and (re)write `index_dir` atomically.

    Everything is written into a temp dir next to `index_dir` first; any failure before the swap
    removes it and leaves the previous index untouched and serving.
    """
    import faiss
    from rich.progress import Progress

    offers = kb.past_offers()
    dim = int(embedder.dim)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover(index_dir)
    tmp = Path(tempfile.mkdtemp(dir=index_dir.parent, prefix=f".{index_dir.name}.new-"))
    try:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        with Progress(disable=not progress) as bar:
            task = bar.add_task("Embedding past offers", total=len(offers))
            # Batches keep memory flat and let the bar move; the embedder caches per text.
            for start in range(0, len(offers), batch_size):
                chunk = offers[start : start + batch_size]
                vecs = np.ascontiguousarray(
                    embedder.encode([offer_document(p) for p in chunk]), dtype=np.float32
                )
                if vecs.shape != (len(chunk), dim):
                    raise ValueError(
                        f"embedder returned shape {vecs.shape}, want ({len(chunk)}, {dim})"
                    )
                ids = np.arange(start, start + len(chunk), dtype=np.int64)
                index.add_with_ids(vecs, ids)
                bar.advance(task, len(chunk))
        meta = IndexMeta(
            kb_version=kb.version, dim=dim, count=len(offers), embedder=embedder_id(embedder)
        )
        faiss.write_index(index, str(tmp / INDEX_FILE))
        (tmp / IDS_FILE).write_text(json.dumps([p.id for p in offers]), encoding="utf-8")
        # meta last: a directory with meta.json is complete
        (tmp / META_FILE).write_text(meta.model_dump_json(indent=2), encoding="utf-8")
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


# --- serving -------------------------------------------------------------------------------------


class FaissRetriever:
    """Nearest past offers of one merchant (plus offers marked shareable), never anyone else's.

    Isolation is enforced inside the search (an IDSelectorBatch per merchant, built at warm_up)
    and checked again on the results. With `channel`, `candidate_factor * k` candidates are
    fetched and those of that channel are ranked first (each group by score), so same-channel
    examples are preferred but the list is still filled when there are too few of them.
    """

    def __init__(
        self,
        index_dir: Path,
        kb: KnowledgeBase,
        embedder: Embedder,
        *,
        candidate_factor: int = 4,
    ) -> None:
        self.index_dir = index_dir
        self.kb = kb
        self.embedder = embedder
        self.candidate_factor = candidate_factor
        self.meta: IndexMeta | None = None
        self._index: Any = None
        self._offers: list[PastOffer] = []
        self._search_params: dict[str, tuple[Any, Any, int]] = {}

    @property
    def ready(self) -> bool:
        return self._index is not None

    def warm_up(self) -> None:
        if self._index is not None:
            return
        import faiss

        _recover(self.index_dir)
        meta = read_index_meta(self.index_dir)
        if meta is None or not (self.index_dir / INDEX_FILE).is_file():
            raise ConfigError(f"no index at {self.index_dir}: {_SEED_HINT}")
        if meta.kb_version != self.kb.version:
            raise ConfigError(f"index is stale, {_SEED_HINT} (it was built for another KB)")
        if meta.embedder != embedder_id(self.embedder) or meta.dim != self.embedder.dim:
            raise ConfigError(
                f"index is stale, {_SEED_HINT} (built with {meta.embedder}/{meta.dim}, "
                f"serving with {embedder_id(self.embedder)}/{self.embedder.dim})"
            )
        index = faiss.read_index(str(self.index_dir / INDEX_FILE))
        ids = json.loads((self.index_dir / IDS_FILE).read_text(encoding="utf-8"))
        if not (len(ids) == index.ntotal == meta.count):
            raise ConfigError(f"index at {self.index_dir} is inconsistent: {_SEED_HINT}")
        by_id = {p.id: p for p in self.kb.past_offers()}
        if any(i not in by_id for i in ids):
            raise ConfigError(f"index is stale, {_SEED_HINT} (it names unknown past offers)")
        offers = [by_id[i] for i in ids]

        shared = [pos for pos, p in enumerate(offers) if p.shareable]
        own: dict[str, list[int]] = {m.id: [] for m in self.kb.merchants()}
        for pos, p in enumerate(offers):
            own[p.merchant_id].append(pos)
        params: dict[str, tuple[Any, Any, int]] = {}
        for mid, positions in own.items():
            allowed = np.unique(np.asarray(positions + shared, dtype=np.int64))
            sel = faiss.IDSelectorBatch(allowed)
            # keep `sel` referenced: SearchParameters holds only a raw pointer to it
            search_params = faiss.SearchParameters()
            search_params.sel = sel
            params[mid] = (sel, search_params, len(allowed))

        self.embedder.warm_up()
        self.meta, self._offers, self._search_params = meta, offers, params
        self._index = index

    def retrieve(
        self, merchant_id: str, query: str, k: int, channel: Channel | None = None
    ) -> list[ScoredOffer]:
        if self._index is None:
            raise NotReadyError("retriever is not warmed up")
        if k < 1:
            raise ValueError("k must be >= 1")
        self.kb.merchant(merchant_id)  # unknown merchant -> NotFoundError
        _, params, n_allowed = self._search_params[merchant_id]
        fetch = min(n_allowed, k * self.candidate_factor if channel is not None else k)
        if fetch == 0:
            return []
        qv = np.ascontiguousarray(self.embedder.encode([query]), dtype=np.float32)
        scores, positions = self._index.search(qv, fetch, params=params)
        hits: list[ScoredOffer] = []
        for score, pos in zip(scores[0], positions[0], strict=True):
            if pos < 0:
                continue
            offer = self._offers[int(pos)]
            if offer.merchant_id != merchant_id and not offer.shareable:
                # cannot happen with the selector; isolation must not depend on that alone
                log.error("isolation: dropped %s from results for %s", offer.id, merchant_id)
                continue
            hits.append(ScoredOffer(offer=offer, score=float(score)))
        if channel is not None:
            hits.sort(key=lambda h: h.offer.channel != channel)  # stable: keeps score order
        return hits[:k]

    def retrieve_rules(self, merchant_id: str) -> list[MerchantRule]:
        return self.kb.rules(merchant_id)

    def retrieve_all(
        self,
        merchant_id: str,
        query: str,
        k: int,
        channel: Channel | None = None,
        rules_k: int | None = None,
    ) -> Retrieved:
        """Past offers and rules in one object; `rules_k` keeps the first N rules."""
        rules = self.retrieve_rules(merchant_id)
        return Retrieved(
            past_offers=self.retrieve(merchant_id, query, k, channel),
            rules=rules if rules_k is None else rules[:rules_k],
        )
