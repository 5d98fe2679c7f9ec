"""MiniLMEmbedder with the real all-MiniLM-L6-v2 model (shipped in a PyPI package, offline)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from offergen.demo.generator import DemoKB
from offergen.retrieval.documents import offer_document
from offergen.retrieval.embedder import MiniLMEmbedder, native_bf16_cpu


class CountingEmbedder(MiniLMEmbedder):
    """Records every batch that reaches the model (cache misses only)."""

    def __init__(self, cache_dir: Path | None, shared: MiniLMEmbedder | None = None) -> None:
        super().__init__(cache_dir=cache_dir)
        self.model_batches: list[list[str]] = []
        if shared is not None and shared.ready:
            self._model = shared._model  # reuse the loaded weights: keeps the test fast

    def _encode_model(self, texts: list[str]) -> np.ndarray:
        self.model_batches.append(list(texts))
        return super()._encode_model(texts)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    emb = MiniLMEmbedder(cache_dir=None)
    emb.warm_up()
    return emb


def test_init_is_cheap_and_loads_nothing(tmp_path: Path) -> None:
    emb = MiniLMEmbedder(cache_dir=tmp_path)
    assert not emb.ready and emb.dim == 384
    assert not (tmp_path / "all-MiniLM-L6-v2.sqlite3").exists()


def test_shape_dtype_and_norm(minilm: MiniLMEmbedder) -> None:
    vecs = minilm.encode(["Get 10% cash back at FreshMart.", "Free delivery on groceries."])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert minilm.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer(minilm: MiniLMEmbedder) -> None:
    a, b, c = minilm.encode(
        [
            "Earn 10% cash back on groceries at FreshMart this week.",
            "Get 10% back on your grocery shopping at FreshMart.",
            "Your flight to Lisbon boards at gate twelve.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_cache_skips_unchanged_texts(minilm: MiniLMEmbedder, tmp_path: Path) -> None:
    texts = ["Save $20 on headphones at Voltix.", "Earn 3x points on hotel stays."]
    first = CountingEmbedder(tmp_path, shared=minilm)
    v1 = first.encode(texts + texts[:1])  # a duplicate is encoded once
    assert first.model_batches == [texts]

    second = CountingEmbedder(tmp_path)  # a fresh process would look like this: nothing loaded
    v2 = second.encode(texts)
    assert second.model_batches == [] and not second.ready  # all cached: model never loaded
    assert np.array_equal(v1[:2], v2) and second.cache_hits == 2

    third = CountingEmbedder(tmp_path, shared=minilm)
    v3 = third.encode([texts[1], "Free shipping on orders of $35 or more.", texts[0]])
    assert third.model_batches == [["Free shipping on orders of $35 or more."]]
    assert np.array_equal(v3[0], v1[1]) and np.array_equal(v3[2], v1[0])
    assert third.cache is not None and len(third.cache) == 3


def test_corrupt_cache_is_not_fatal(minilm: MiniLMEmbedder, tmp_path: Path) -> None:
    emb = CountingEmbedder(tmp_path, shared=minilm)
    assert emb.cache is not None
    emb.cache.path.write_bytes(b"this is not a database" * 100)
    vecs = emb.encode(["Take 15% off the new collection."])
    assert vecs.shape == (1, 384) and len(emb.model_batches) == 1


def test_precision_names_model_and_cache(tmp_path: Path) -> None:
    fp32 = MiniLMEmbedder(cache_dir=tmp_path, precision="fp32")
    bf16 = MiniLMEmbedder(cache_dir=tmp_path, precision="bf16")
    # fp32 keeps the historical id (existing indexes stay valid); bf16 marks them stale
    assert fp32.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert bf16.model_id == "sentence-transformers/all-MiniLM-L6-v2@bf16"
    assert fp32.cache is not None and bf16.cache is not None
    assert fp32.cache.path != bf16.cache.path  # vectors of one never answer for the other
    auto = MiniLMEmbedder(cache_dir=None)
    assert auto.precision == ("bf16" if native_bf16_cpu() else "fp32")
    with pytest.raises(ValueError, match="precision"):
        MiniLMEmbedder(precision="int4")  # type: ignore[arg-type]


def test_native_bf16_detection_reads_cpu_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile\n")
    assert native_bf16_cpu(info)
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n")
    assert not native_bf16_cpu(info)
    assert not native_bf16_cpu(tmp_path / "missing")


def test_bf16_matches_fp32_quality(minilm: MiniLMEmbedder, small_demo: DemoKB) -> None:
    texts = [offer_document(p) for p in small_demo.past_offers][:200]
    fp32 = MiniLMEmbedder(precision="fp32")
    if minilm.precision == "fp32":  # reuse the loaded fp32 weights
        fp32._model = minilm._model
    bf16 = MiniLMEmbedder(precision="bf16")
    a, b = fp32.encode(texts), bf16.encode(texts)
    assert b.dtype == np.float32 and np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cos = (a * b).sum(axis=1)
    assert cos.mean() >= 0.999 and cos.min() >= 0.99
    # retrieval neighbours (top 10 among the other texts) mostly unchanged
    sa, sb = a @ a.T, b @ b.T
    np.fill_diagonal(sa, -2.0)
    np.fill_diagonal(sb, -2.0)
    top_a, top_b = np.argsort(-sa, axis=1)[:, :10], np.argsort(-sb, axis=1)[:, :10]
    overlap = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(top_a, top_b, strict=True)])
    assert overlap >= 0.9
