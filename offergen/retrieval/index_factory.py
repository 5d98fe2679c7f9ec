"""Choose and build the FAISS index of one partition: exact while small, approximate above a size.

Vectors are L2-normalised float32, so inner product = cosine, and every index uses
METRIC_INNER_PRODUCT. Search results carry the caller's int64 ids (IndexIDMap2 over a flat or
HNSW index; IVF stores ids natively).

Flat up to `exact_max` (10,000), HNSW above it (M 32, efConstruction 80, efSearch 64), IVF as
the measured alternative: why, with the figures, see docs/decisions/index-kind.md.
`hnsw_ef_search` and `ivf_nprobe` are search-time: `configure` applies them to a loaded index.

Filtered search: pass `search_parameters(index, selector)`, not a bare SearchParametersHNSW/IVF,
whose own defaults (efSearch 16, nprobe 1) silently override the index's settings.

faiss is imported inside functions so that importing this module (e.g. for `IndexParams` in the
settings) stays cheap.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "IndexKind",
    "IndexParams",
    "add_vectors",
    "build_index",
    "choose_index_kind",
    "configure",
    "derive_nlist",
    "index_kind",
    "search_parameters",
]

IndexKind = Literal["flat", "hnsw", "ivf"]

# IVF k-means trains on at most this many points per list (faiss warns below 39, defaults to 256):
# training costs O(points * nlist), so this keeps a 1M build near 2 minutes on 2 cores.
# The coarse quantizer is exact (flat). An HNSW quantizer was tried: over 8,000 centroids it
# misrouted 21 % of a 1M index's vectors into hub lists (one list of 31k, recall 0.92 at
# nprobe 16). Flat costs ~0.35 ms per query at 4,000 centroids but never misroutes.
_IVF_TRAIN_PER_LIST = 64
_IVF_NITER = 10
_SEED = 1234  # fixed: the same vectors build the same IVF partition


class IndexParams(BaseModel):
    """How a partition is indexed. Build-time fields need a rebuild to change; `hnsw_ef_search`
    and `ivf_nprobe` are search-time and applied to a loaded index by `configure`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # figures for every default: module docstring
    exact_max: Annotated[int, Field(ge=0, le=10_000_000)] = 10_000  # n <= this: exact flat
    ann: Literal["hnsw", "ivf"] = "hnsw"  # above exact_max
    hnsw_m: Annotated[int, Field(ge=4, le=128)] = 32
    hnsw_ef_construction: Annotated[int, Field(ge=8, le=1024)] = 80
    hnsw_ef_search: Annotated[int, Field(ge=1, le=4096)] = 64  # faiss uses max(this, k)
    # None: derived from the partition size by `derive_nlist` (4 * sqrt(n), >= 39 per list)
    ivf_nlist: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    ivf_nprobe: Annotated[int, Field(ge=1, le=1_000_000)] = 8


def derive_nlist(n: int) -> int:
    """IVF list count for n vectors: round(4 * sqrt(n)) (the usual rule: balances scanning the
    nlist centroids against scanning nprobe lists of n / nlist), kept to at least 39 vectors per
    list (faiss's minimum for training) and at least 1. 1M -> 4,000 lists of ~250."""
    return max(1, min(round(4 * math.sqrt(max(n, 0))), n // 39))


def choose_index_kind(n: int, params: IndexParams) -> IndexKind:
    """flat for n <= exact_max (exact, and fast enough there), else the configured ANN kind."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return "flat" if n <= params.exact_max else params.ann


def _check(vectors: np.ndarray, ids: np.ndarray, dim: int | None = None) -> tuple[Any, Any]:
    """Clear errors for what faiss would reject cryptically (or accept and get wrong)."""
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D numpy array (n, dim), got {_describe(vectors)}")
    if vectors.dtype != np.float32:
        raise ValueError(f"vectors must be float32, got {vectors.dtype}")
    if vectors.shape[1] < 1:
        raise ValueError("vectors must have at least one dimension")
    if dim is not None and vectors.shape[1] != dim:
        raise ValueError(f"vectors have dim {vectors.shape[1]}, the index has dim {dim}")
    if not isinstance(ids, np.ndarray) or ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D numpy array, got {_describe(ids)}")
    if ids.dtype != np.int64:
        raise ValueError(f"ids must be int64, got {ids.dtype}")
    if len(ids) != len(vectors):
        raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
    return np.ascontiguousarray(vectors), np.ascontiguousarray(ids)


def _describe(a: object) -> str:
    if isinstance(a, np.ndarray):
        return f"shape {a.shape} {a.dtype}"
    return type(a).__name__


def build_index(vectors: np.ndarray, ids: np.ndarray, params: IndexParams) -> Any:
    """Index `vectors` (n, dim) float32 L2-normalised under `ids` (n,) int64 (unique).

    The kind follows `choose_index_kind(n, params)`; n == 0 gives an empty flat index of
    dim `vectors.shape[1]`. Search-time parameters are already applied (`configure`).
    """
    import faiss

    x, xids = _check(vectors, ids)
    n, dim = x.shape
    if len(np.unique(xids)) != n:
        raise ValueError("ids must be unique")
    kind = choose_index_kind(n, params)
    index: Any
    if kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    elif kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = params.hnsw_ef_construction
        index = faiss.IndexIDMap2(hnsw)
    else:
        index = _train_ivf(x, min(params.ivf_nlist or derive_nlist(n), n))
    configure(index, params)
    if n:
        index.add_with_ids(x, xids)
    return index


def _train_ivf(x: np.ndarray, nlist: int) -> Any:
    """IndexIVFFlat (inner product, flat quantizer) with spherical k-means centroids."""
    import faiss

    n, dim = x.shape
    sample = x
    if n > _IVF_TRAIN_PER_LIST * nlist:
        size = _IVF_TRAIN_PER_LIST * nlist
        sample = x[np.sort(np.random.default_rng(_SEED).choice(n, size=size, replace=False))]
    quantizer: Any = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True  # the C++ index owns its quantizer (survives any Python copy)
    quantizer.this.disown()
    index.cp.spherical = True  # unit-norm centroids suit inner-product assignment
    index.cp.niter = _IVF_NITER
    index.cp.seed = _SEED
    index.cp.max_points_per_centroid = _IVF_TRAIN_PER_LIST  # sampled above already
    index.cp.min_points_per_centroid = 1  # nlist <= n // 39 keeps it sane; no warning spam
    index.train(sample)
    return index


def add_vectors(index: Any, vectors: np.ndarray, ids: np.ndarray) -> None:
    """Add vectors under new ids without rebuilding (all three kinds take incremental adds; an
    IVF index keeps the lists it was trained with)."""
    x, xids = _check(vectors, ids, dim=int(index.d))
    if len(x):
        index.add_with_ids(x, xids)


def _inner(index: Any) -> Any:
    import faiss

    ix = faiss.downcast_index(index)
    if isinstance(ix, faiss.IndexIDMap | faiss.IndexIDMap2):
        ix = faiss.downcast_index(ix.index)
    return ix


def index_kind(index: Any) -> IndexKind:
    """What an index (e.g. one loaded with faiss.read_index / deserialize_index) is."""
    import faiss

    ix = _inner(index)
    if isinstance(ix, faiss.IndexFlat):
        return "flat"
    if isinstance(ix, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(ix, faiss.IndexIVF):
        return "ivf"
    raise ValueError(f"not an index this factory builds: {type(ix).__name__}")


def configure(index: Any, params: IndexParams) -> None:
    """Apply the search-time parameters (efSearch / nprobe) to a built or loaded index, so that
    changing them needs no rebuild. No-op for flat."""
    kind = index_kind(index)
    ix = _inner(index)
    if kind == "hnsw":
        ix.hnsw.efSearch = params.hnsw_ef_search
    elif kind == "ivf":
        ix.nprobe = min(params.ivf_nprobe, int(ix.nlist))


def search_parameters(index: Any, sel: Any = None) -> Any:
    """faiss SearchParameters for `index.search(..., params=...)` that keep the index's own
    efSearch / nprobe, optionally with an IDSelector (e.g. faiss.IDSelectorBatch of allowed ids).

    Needed because SearchParametersHNSW() defaults to efSearch=16 and SearchParametersIVF() to
    nprobe=1, which silently override `configure`; and IVF rejects the plain base class.
    """
    import faiss as faiss_module

    faiss: Any = faiss_module  # the bundled type hints miss SearchParametersHNSW
    kind = index_kind(index)
    ix = _inner(index)
    sp: Any
    if kind == "hnsw":
        sp = faiss.SearchParametersHNSW()
        sp.efSearch = int(ix.hnsw.efSearch)
    elif kind == "ivf":
        sp = faiss.SearchParametersIVF()
        sp.nprobe = int(ix.nprobe)
    else:
        sp = faiss.SearchParameters()
    if sel is not None:
        sp.sel = sel
    return sp
