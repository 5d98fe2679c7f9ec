"""index_factory: kind choice, id mapping, ANN recall, incremental adds, search-time settings
after a serialize round trip, and input validation. Small n with a small exact_max forces ANN."""

from __future__ import annotations

from typing import Any

import faiss
import numpy as np
import pytest
from pydantic import ValidationError

from offergen.retrieval.index_factory import (
    IndexParams,
    add_vectors,
    build_index,
    choose_index_kind,
    configure,
    derive_nlist,
    index_kind,
    search_parameters,
)

DIM = 32
SMALL = IndexParams(exact_max=200)
KINDS: dict[str, IndexParams] = {
    "flat": IndexParams(),
    "hnsw": SMALL.model_copy(update={"ann": "hnsw"}),
    "ivf": SMALL.model_copy(update={"ann": "ivf"}),
}


def unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, seed: int = 0, centres: int = 40) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, DIM))
    return unit(c[rng.integers(0, centres, n)] + 0.5 * rng.standard_normal((n, DIM)))


def odd_ids(n: int, seed: int = 1) -> np.ndarray:
    """Large, shuffled ids: positions would pass by accident, these do not."""
    return (10**12 + np.random.default_rng(seed).permutation(n) * 7).astype(np.int64)


def test_kind_at_threshold_boundary() -> None:
    p = IndexParams(exact_max=100, ann="hnsw")
    assert choose_index_kind(0, p) == "flat"
    assert choose_index_kind(100, p) == "flat"
    assert choose_index_kind(101, p) == "hnsw"
    assert choose_index_kind(101, p.model_copy(update={"ann": "ivf"})) == "ivf"
    assert choose_index_kind(10_001, IndexParams()) == IndexParams().ann == "hnsw"
    with pytest.raises(ValueError, match=">= 0"):
        choose_index_kind(-1, p)
    x, ids = clustered(101), odd_ids(101)
    assert index_kind(build_index(x[:100], ids[:100], p)) == "flat"
    assert index_kind(build_index(x, ids, p)) == "hnsw"


def test_params_are_validated_and_frozen() -> None:
    with pytest.raises(ValidationError):
        IndexParams(exact_mx=5)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        IndexParams(hnsw_m=1)
    with pytest.raises(ValidationError):
        IndexParams(ann="lsh")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        IndexParams().exact_max = 5  # type: ignore[misc]
    assert IndexParams.model_validate({"ann": "ivf", "ivf_nlist": 64}).ivf_nlist == 64


def test_derive_nlist() -> None:
    assert derive_nlist(1_000_000) == 4000  # 4 * sqrt(n)
    assert derive_nlist(200_000) == 1789
    assert derive_nlist(20_000) == 512  # at least 39 vectors per list
    assert derive_nlist(1_000) == 25
    assert derive_nlist(10) == 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_results_carry_the_given_ids(kind: str) -> None:
    x, ids = clustered(600), odd_ids(600)
    index = build_index(x, ids, KINDS[kind])
    assert index_kind(index) == kind and index.ntotal == 600
    _, found = index.search(x[:50], 1)
    assert (found[:, 0] == ids[:50]).mean() >= 0.96  # itself first (ANN may miss a rare one)
    _, found = index.search(x[:50], 10)
    assert set(found.ravel().tolist()) <= set(ids.tolist())


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_ann_recall_against_exact(kind: str) -> None:
    x, ids = clustered(4000), odd_ids(4000)
    queries = unit(x[:200] + 0.3 * np.random.default_rng(5).standard_normal((200, DIM)))
    exact = build_index(x, ids, IndexParams(exact_max=10_000))
    ann = build_index(x, ids, KINDS[kind])
    assert index_kind(ann) == kind
    _, want = exact.search(queries, 10)
    _, got = ann.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)])
    assert recall >= 0.95


@pytest.mark.parametrize("kind", list(KINDS))
def test_add_vectors_makes_new_ids_findable(kind: str) -> None:
    x = clustered(1200)
    ids = np.arange(1000, dtype=np.int64)
    index = build_index(x[:1000], ids, KINDS[kind])
    new_ids = np.arange(5000, 5200, dtype=np.int64)
    add_vectors(index, x[1000:], new_ids)
    assert index.ntotal == 1200 and index_kind(index) == kind
    _, found = index.search(x[1000:], 1)
    assert (found[:, 0] == new_ids).mean() >= 0.95
    add_vectors(index, np.zeros((0, DIM), np.float32), np.zeros(0, np.int64))  # no-op
    assert index.ntotal == 1200


def _search_setting(index: Any) -> int | None:
    inner = faiss.downcast_index(index)
    if isinstance(inner, faiss.IndexIDMap):
        inner = faiss.downcast_index(inner.index)
    if isinstance(inner, faiss.IndexHNSW):
        return int(inner.hnsw.efSearch)
    if isinstance(inner, faiss.IndexIVF):
        return int(inner.nprobe)
    return None


@pytest.mark.parametrize("kind", list(KINDS))
def test_configure_after_serialize_round_trip(kind: str) -> None:
    x, ids = clustered(1000), odd_ids(1000)
    built_with = KINDS[kind].model_copy(update={"hnsw_ef_search": 16, "ivf_nprobe": 2})
    index = build_index(x, ids, built_with)
    loaded = faiss.deserialize_index(faiss.serialize_index(index))
    assert index_kind(loaded) == kind and loaded.ntotal == 1000

    serving = built_with.model_copy(update={"hnsw_ef_search": 123, "ivf_nprobe": 7})
    configure(loaded, serving)
    want = {"flat": None, "hnsw": 123, "ivf": 7}[kind]
    assert _search_setting(loaded) == want
    _, found = loaded.search(x[:20], 1)
    assert (found[:, 0] == ids[:20]).mean() >= 0.95  # still maps to the caller's ids


def test_configure_caps_nprobe_at_nlist() -> None:
    x, ids = clustered(1000), odd_ids(1000)
    index = build_index(x, ids, KINDS["ivf"].model_copy(update={"ivf_nlist": 8}))
    configure(index, KINDS["ivf"].model_copy(update={"ivf_nprobe": 500}))
    assert _search_setting(index) == 8


@pytest.mark.parametrize("kind", list(KINDS))
def test_search_parameters_keep_settings_and_filter(kind: str) -> None:
    x, ids = clustered(1000), odd_ids(1000)
    index = build_index(x, ids, KINDS[kind].model_copy(update={"hnsw_ef_search": 77}))
    allowed = ids[::10]
    sel = faiss.IDSelectorBatch(allowed)
    sp = search_parameters(index, sel)
    if kind == "hnsw":
        assert sp.efSearch == 77  # not SearchParametersHNSW's own default of 16
    if kind == "ivf":
        assert sp.nprobe == KINDS["ivf"].ivf_nprobe  # not SearchParametersIVF's default of 1
    _, found = index.search(x[:30], 10, params=sp)
    got = found[found >= 0]
    assert len(got) and set(got.tolist()) <= set(allowed.tolist())


def test_empty_index() -> None:
    index = build_index(np.zeros((0, 16), np.float32), np.zeros(0, np.int64), SMALL)
    assert index_kind(index) == "flat" and index.ntotal == 0 and index.d == 16
    q = unit(np.ones((1, 16)))
    _, found = index.search(q, 3)
    assert (found == -1).all()
    add_vectors(index, q, np.array([42], dtype=np.int64))
    assert index.search(q, 1)[1][0, 0] == 42


@pytest.mark.parametrize(
    ("vectors", "ids", "match"),
    [
        (np.zeros((3, 8), np.float64), np.arange(3, dtype=np.int64), "float32"),
        (np.zeros(8, np.float32), np.arange(1, dtype=np.int64), "2-D"),
        ([[0.0] * 8], np.arange(1, dtype=np.int64), "2-D"),
        (np.zeros((3, 0), np.float32), np.arange(3, dtype=np.int64), "dimension"),
        (np.zeros((3, 8), np.float32), np.arange(3, dtype=np.int32), "int64"),
        (np.zeros((3, 8), np.float32), np.arange(3, dtype=np.int64).reshape(3, 1), "1-D"),
        (np.zeros((3, 8), np.float32), np.arange(2, dtype=np.int64), "2 ids for 3 vectors"),
        (np.zeros((3, 8), np.float32), np.zeros(3, np.int64), "unique"),
    ],
)
def test_bad_input_is_a_clear_value_error(vectors: Any, ids: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build_index(vectors, ids, SMALL)


def test_add_vectors_checks_dim_and_dtype() -> None:
    index = build_index(clustered(10), np.arange(10, dtype=np.int64), SMALL)
    with pytest.raises(ValueError, match="dim 16, the index has dim 32"):
        add_vectors(index, np.zeros((1, 16), np.float32), np.array([99], np.int64))
    with pytest.raises(ValueError, match="float32"):
        add_vectors(index, np.zeros((1, DIM), np.float64), np.array([99], np.int64))


def test_index_kind_rejects_foreign_indexes() -> None:
    with pytest.raises(ValueError, match="IndexLSH"):
        index_kind(faiss.IndexLSH(DIM, 64))
