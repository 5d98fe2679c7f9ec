"""The FAISS index on disk: partitioned by tenant, built aside and swapped in atomically, updated
incrementally.

Isolation is structural. Each merchant has its own partitions (`merchant:<id>:past_offer`,
`merchant:<id>:merchant_rule`) over its private items, and one `shared` partition holds every past
offer marked shareable. A query for merchant M searches only M's partitions and `shared`, so a
foreign private item is never even a candidate, and a filter can never starve the top k (which a
global ANN index with a per-merchant selector does at scale: see eval/bench/retrieval.py). Each
partition is exact (flat) while small and approximate above a size threshold (index_factory).

Layout of an index directory:
- `partitions.npz`: one serialized FAISS index per partition (`p0`, `p1`, ...);
- `items.json`: per partition its key, item ids by FAISS id (= position) and a hash of each
  embedded document, so an update can tell added, changed and removed items apart;
- `meta.json` (written last: a directory with it is complete): version (hash of all of the
  above), embedder, dim, counts.
faiss is imported inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from offergen.errors import ConfigError
from offergen.retrieval.base import Embedder, KnowledgeSource
from offergen.retrieval.documents import document
from offergen.retrieval.index_factory import (
    IndexParams,
    add_vectors,
    build_index,
    choose_index_kind,
    configure,
    index_kind,
)
from offergen.schemas import SourceKind

__all__ = [
    "SHARED",
    "IndexMeta",
    "IndexReport",
    "LoadedIndex",
    "Partition",
    "embedder_id",
    "index_stats",
    "load_index",
    "partition_key",
    "read_index_meta",
    "update_index",
]

log = logging.getLogger(__name__)

PARTITIONS_FILE = "partitions.npz"
ITEMS_FILE = "items.json"
META_FILE = "meta.json"
SHARED = "shared"
_SEED_HINT = "run `offergen index build` (or `offergen kb seed`)"


@dataclass(frozen=True)
class IndexItem:
    """One retrievable text as the index sees it."""

    kind: SourceKind
    id: str
    merchant_id: str
    shareable: bool
    document: str


def partition_key(merchant_id: str, kind: SourceKind) -> str:
    return f"merchant:{merchant_id}:{kind.value}"


def _key_of(item: IndexItem) -> str:
    if item.kind is SourceKind.past_offer and item.shareable:
        return SHARED
    return partition_key(item.merchant_id, item.kind)


def _doc_hash(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()[:16]


def embedder_id(embedder: Embedder) -> str:
    """What the index records about the embedder; a different one means a full rebuild."""
    return str(getattr(embedder, "model_id", type(embedder).__name__))


class IndexMeta(BaseModel):
    version: str
    embedder: str
    dim: int
    count: int
    partitions: int
    built_at: datetime


class IndexReport(BaseModel):
    """What `offergen index build` did."""

    index_dir: Path
    version: str
    changed: bool  # False: the index already matched the knowledge base; nothing was written
    count: int
    partitions: int
    kept: int  # partitions reused as they were
    extended: int  # partitions that only gained items (vectors added, no rebuild)
    rebuilt: int
    removed: int
    encoded: int  # documents that went through the embedder (cache hits included)
    kinds: dict[str, int]  # partitions per FAISS index kind (flat / hnsw / ivf)
    seconds: float


@dataclass
class Partition:
    key: str
    index: Any  # a FAISS index whose ids are positions in `ids`
    ids: list[str]
    hashes: list[str] = field(default_factory=list)


@dataclass
class LoadedIndex:
    meta: IndexMeta
    partitions: dict[str, Partition]


# --- reading -------------------------------------------------------------------------------------


def read_index_meta(index_dir: Path) -> IndexMeta | None:
    try:
        return IndexMeta.model_validate_json((index_dir / META_FILE).read_bytes())
    except (OSError, ValueError):
        return None


def load_index(index_dir: Path, params: IndexParams) -> LoadedIndex:
    """Read a complete index directory (never writes to it); ConfigError if it is unusable."""
    import faiss

    _recover(index_dir)
    meta = read_index_meta(index_dir)
    if meta is None:
        raise ConfigError(f"no index at {index_dir}: {_SEED_HINT}")
    try:
        items = json.loads((index_dir / ITEMS_FILE).read_text(encoding="utf-8"))
        with np.load(index_dir / PARTITIONS_FILE) as blobs:
            partitions: dict[str, Partition] = {}
            for i, entry in enumerate(items):
                index = faiss.deserialize_index(blobs[f"p{i}"])
                configure(index, params)
                if index.ntotal != len(entry["ids"]):
                    raise ValueError(f"partition {entry['key']} holds {index.ntotal} vectors")
                partitions[entry["key"]] = Partition(
                    entry["key"], index, entry["ids"], entry["hashes"]
                )
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise ConfigError(f"index at {index_dir} is unreadable ({e}): {_SEED_HINT}") from None
    return LoadedIndex(meta=meta, partitions=partitions)


def _kind_counts(partitions: Iterable[Partition]) -> dict[str, int]:
    """Partitions per FAISS index kind (flat / hnsw / ivf)."""
    return dict(Counter(index_kind(p.index) for p in partitions))


def index_stats(index_dir: Path, params: IndexParams) -> dict[str, Any]:
    """`offergen index stats`: what is on disk, by partition kind and size."""
    loaded = load_index(index_dir, params)
    sizes = sorted((len(p.ids) for p in loaded.partitions.values()), reverse=True)
    shared = loaded.partitions.get(SHARED)
    return {
        **loaded.meta.model_dump(mode="json"),
        "kinds": _kind_counts(loaded.partitions.values()),
        "largest_partition": sizes[0] if sizes else 0,
        "shared_items": len(shared.ids) if shared else 0,
        "bytes": sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file()),
    }


# --- writing -------------------------------------------------------------------------------------


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


def _version(embedder: str, partitions: list[Partition]) -> str:
    h = hashlib.sha256(embedder.encode() + b"\0")
    for p in sorted(partitions, key=lambda p: p.key):
        h.update(p.key.encode() + b"\0")
        for i, dh in zip(p.ids, p.hashes, strict=True):
            h.update(f"{i}\0{dh}\0".encode())
    return h.hexdigest()


def _write(index_dir: Path, partitions: list[Partition], meta: IndexMeta) -> None:
    """Write everything into a temp dir beside `index_dir`, then swap it in. Any failure before
    the swap removes the temp dir and leaves the previous index untouched and serving."""
    import faiss

    tmp = Path(tempfile.mkdtemp(dir=index_dir.parent, prefix=f".{index_dir.name}.new-"))
    try:
        blobs: dict[str, Any] = {
            f"p{i}": faiss.serialize_index(p.index) for i, p in enumerate(partitions)
        }
        with open(tmp / PARTITIONS_FILE, "wb") as fh:
            np.savez(fh, **blobs)
            fh.flush()
            os.fsync(fh.fileno())
        items = [{"key": p.key, "ids": p.ids, "hashes": p.hashes} for p in partitions]
        (tmp / ITEMS_FILE).write_text(json.dumps(items), encoding="utf-8")
        (tmp / META_FILE).write_text(meta.model_dump_json(indent=2), encoding="utf-8")
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _encode(embedder: Embedder, docs: list[str], batch_size: int, progress: bool) -> np.ndarray:
    from rich.console import Console
    from rich.progress import Progress

    dim = int(embedder.dim)
    out = np.empty((len(docs), dim), dtype=np.float32)
    # stderr: stdout carries the command's JSON report
    with Progress(console=Console(stderr=True), disable=not progress) as bar:
        task = bar.add_task("Embedding", total=len(docs))
        # Batches keep memory flat and let the bar move; the embedder caches per text.
        for start in range(0, len(docs), batch_size):
            chunk = docs[start : start + batch_size]
            vecs = np.asarray(embedder.encode(chunk), dtype=np.float32)
            if vecs.shape != (len(chunk), dim):
                raise ValueError(
                    f"embedder returned shape {vecs.shape}, want ({len(chunk)}, {dim})"
                )
            out[start : start + len(chunk)] = vecs
            bar.advance(task, len(chunk))
    return out


def update_index(
    kb: KnowledgeSource,
    embedder: Embedder,
    index_dir: Path,
    params: IndexParams,
    *,
    full: bool = False,
    batch_size: int = 256,
    progress: bool = False,
) -> IndexReport:
    """Bring the index in line with the knowledge base's active items.

    Per partition: unchanged -> kept as is; only new items -> their vectors are added to the
    existing FAISS index; anything changed or removed (or an index kind the new size calls for)
    -> that partition is rebuilt. A different embedder, `full`, or no usable index: everything is
    rebuilt. Nothing is written when the result would equal the current index.
    """
    started = time.perf_counter()
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, list[IndexItem]] = defaultdict(list)
    for r in kb.indexable():
        item = IndexItem(r.kind, r.id, r.merchant_id, r.shareable, document(r.record))
        wanted[_key_of(item)].append(item)

    emb_id, dim = embedder_id(embedder), int(embedder.dim)
    current: dict[str, Partition] = {}
    loaded = False  # whether the index on disk was read and can be reused
    old_meta = read_index_meta(index_dir)
    if not full and old_meta is not None and (old_meta.embedder, old_meta.dim) == (emb_id, dim):
        try:
            current, loaded = load_index(index_dir, params).partitions, True
        except ConfigError as e:
            log.warning("rebuilding the whole index: %s", e)

    # Decide per partition, then encode every needed document in one batched pass.
    # key, items, their document hashes, the partition to extend (or None), items already in it
    plans: list[tuple[str, list[IndexItem], dict[str, str], Partition | None, int]] = []
    kept = extended = rebuilt = 0
    for key in sorted(wanted):
        items = wanted[key]
        hashes = {i.id: _doc_hash(i.document) for i in items}
        old = current.get(key)
        if (
            old is not None
            and index_kind(old.index) == choose_index_kind(len(items), params)
            and all(hashes.get(i) == h for i, h in zip(old.ids, old.hashes, strict=True))
        ):
            # every indexed item is still there, unchanged: keep their positions, append the rest
            indexed = set(old.ids)
            by_id = {i.id: i for i in items}
            items = [by_id[i] for i in old.ids] + [i for i in items if i.id not in indexed]
            if len(items) == len(old.ids):
                kept += 1
            else:
                extended += 1
            plans.append((key, items, hashes, old, len(old.ids)))
            continue
        rebuilt += 1
        plans.append((key, items, hashes, None, 0))
    removed = sum(1 for k in current if k not in wanted)

    docs = [i.document for _, items, _, _, skip in plans for i in items[skip:]]
    vectors = _encode(embedder, docs, batch_size, progress) if docs else np.empty((0, dim))
    partitions: list[Partition] = []
    offset = 0
    for key, items, hashes, base, skip in plans:
        new = items[skip:]
        vecs = np.ascontiguousarray(vectors[offset : offset + len(new)], dtype=np.float32)
        offset += len(new)
        ids = np.arange(skip, len(items), dtype=np.int64)
        if base is None:
            index = build_index(vecs, ids, params)
        else:
            index = base.index
            if len(new):
                add_vectors(index, vecs, ids)
        partitions.append(
            Partition(key, index, [i.id for i in items], [hashes[i.id] for i in items])
        )

    version = _version(emb_id, partitions)
    changed = not loaded or old_meta is None or old_meta.version != version
    count = sum(len(p.ids) for p in partitions)
    if changed:
        meta = IndexMeta(
            version=version,
            embedder=emb_id,
            dim=dim,
            count=count,
            partitions=len(partitions),
            built_at=datetime.now(UTC),
        )
        _write(index_dir, partitions, meta)
    return IndexReport(
        index_dir=index_dir,
        version=version,
        changed=changed,
        count=count,
        partitions=len(partitions),
        kept=kept,
        extended=extended,
        rebuilt=rebuilt,
        removed=removed,
        encoded=len(docs),
        kinds=_kind_counts(partitions),
        seconds=round(time.perf_counter() - started, 3),
    )
