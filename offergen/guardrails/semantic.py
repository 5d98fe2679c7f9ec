"""Semantic matching beside the phrase lists: a sentence that says what a rule forbids in other
words (or another language) is found by its closeness to the rule's exemplar sentences.

Each sentence of a text is embedded once (sentence-transformers/all-MiniLM-L6-v2, the retriever's
model, shipped in a PyPI package, run by ONNX Runtime: offergen/guardrails/minilm_onnx.py) and
compared by cosine with every exemplar of a family (`claims`, `fairness`, `unsafe_output`) and
with the clean exemplars. A sentence matches a rule when its closest exemplar of that rule is at
least the family's `threshold` and beats the closest clean exemplar by the family's `margin`: the
clean side keeps "Subject to credit approval" away from "Approval guaranteed". Exemplars are data
(guardrails/data/semantic/<language>.yaml); the thresholds and their calibration figures are in
guardrails/data/semantic/thresholds.yaml.

Sentence vectors are kept per process (bounded), so the three checks of a pack embed a text once.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.datafile import DATA_DIR, load_data
from offergen.guardrails.minilm_onnx import MiniLMOnnxEncoder
from offergen.retrieval.embedder import VectorCache, text_key
from offergen.schemas import Finding

SEMANTIC_DIR = DATA_DIR / "semantic"
FAMILIES = ("claims", "fairness", "unsafe_output")

# A sentence ends at . ! ? before a space or the end (not inside "24.99%" or "help@example.org"),
# or at a line break; the separator stays with the sentence before it.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))*(?:[.!?]+|\n|$)")
_MERGE_TAG = re.compile(r"\{\{\s*\w+\s*\}\}")
_MIN_LETTERS = 8  # "Terms apply." and shorter are not worth a model call
_DIM = MiniLMOnnxEncoder.dim


class SentenceEncoder(Protocol):
    """Unit-length float32 vectors, one row per text; `pinned` texts are kept for good."""

    def encode(self, texts: list[str], pinned: bool = False) -> np.ndarray: ...


class LanguageExemplars(BaseModel):
    """guardrails/data/semantic/<language>.yaml."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(pattern=r"^[a-z]{2}$")
    claims: dict[str, list[str]] = Field(default_factory=dict)
    fairness: dict[str, list[str]] = Field(default_factory=dict)
    unsafe_output: dict[str, list[str]] = Field(default_factory=dict)
    clean: list[str] = Field(min_length=1)


class FamilyThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(gt=0, le=1)
    margin: float = Field(ge=0, le=1)


class SemanticSettings(BaseModel):
    """guardrails/data/semantic/thresholds.yaml."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(min_length=1)
    source: str
    families: dict[str, FamilyThresholds]


@dataclass(frozen=True)
class SemanticHit:
    """One sentence that matched a rule, with the evidence for the finding's explanation."""

    rule: str
    start: int
    end: int
    score: float
    exemplar: str
    language: str
    clean_score: float
    clean_exemplar: str

    def explain(self) -> str:
        return (
            f"sentence is close to {self.language} exemplar {self.exemplar!r} of rule "
            f"{self.rule!r} (cosine {self.score:.2f}; closest clean exemplar "
            f"{self.clean_exemplar!r}, {self.clean_score:.2f})"
        )


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`, surrounding spaces trimmed, short ones left out."""
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        letters = sum(ch.isalpha() for ch in _MERGE_TAG.sub("", text[start:end]))
        if letters >= _MIN_LETTERS:
            spans.append((start, end))
    return spans


class MiniLMSentenceEncoder:
    """The retriever's all-MiniLM-L6-v2 (same weights; ONNX Runtime, fp32 by default, one
    thread) with a bounded per-process cache of sentence vectors.

    Cheap to construct; the model loads on `warm_up()` or the first `encode()`. Exemplars are
    encoded `pinned`: kept for the life of the process, so copy that repeats one (a disclosure
    such as "Terms apply.") costs no model call, and on disk beside the model's export, so a new
    process does not embed the ~2,300 exemplars again (14 s on one thread). Only pinned texts
    reach the disk, never the copy or requests being checked.
    """

    def __init__(self, cache_size: int = 8192, model: MiniLMOnnxEncoder | None = None) -> None:
        self._model = model if model is not None else MiniLMOnnxEncoder()
        self._pinned: dict[str, np.ndarray] = {}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def keep_files_in(self, directory: Path) -> None:
        """Where the model's export and the pinned vectors are kept (before the first warm-up)."""
        if not self._model.ready:
            self._model.export_dir = directory

    @property
    def encoded(self) -> int:
        """Sentences that went through the model (for tests and the bench)."""
        return self._model.model_encoded

    def warm_up(self) -> None:
        with self._lock:
            self._model.warm_up()

    def forget(self) -> None:
        """Drop the cached sentence vectors, not the pinned ones (a benchmark timing text never
        seen before)."""
        with self._lock:
            self._cache.clear()

    def encode(self, texts: list[str], pinned: bool = False) -> np.ndarray:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._pinned:
                    found[text] = self._pinned[text]
                elif text in self._cache:
                    self._cache.move_to_end(text)
                    found[text] = self._cache[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            # Outside the lock, so that a guard check does not queue behind the drafts of a
            # generate request. Two requests may encode the same new sentence at once, which
            # costs time, not correctness.
            fresh = self._embed_pinned(missing) if pinned else self._model.encode(missing)
            with self._lock:
                for text, vec in zip(missing, fresh, strict=True):
                    (self._pinned if pinned else self._cache)[text] = vec
                    found[text] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, MiniLMOnnxEncoder.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def _embed_pinned(self, texts: list[str]) -> np.ndarray:
        self._model.warm_up()  # knows where its export lives from here on
        export = getattr(self._model, "export_path", None)  # None: built for this process only
        disk = None if export is None else VectorCache(Path(f"{export}.pinned.sqlite3"), _DIM)
        keys = [text_key(t) for t in texts]
        vectors = disk.get(keys) if disk is not None else {}
        todo = [t for t, k in zip(texts, keys, strict=True) if k not in vectors]
        if todo:
            fresh = dict(zip(map(text_key, todo), self._model.encode(todo), strict=True))
            if disk is not None:
                disk.put(fresh)
            vectors.update(fresh)
        return np.stack([vectors[k] for k in keys])


@lru_cache(maxsize=1)
def shared_encoder() -> MiniLMSentenceEncoder:
    """One encoder per process: every check of every pack shares its model and cache."""
    return MiniLMSentenceEncoder()


@dataclass(frozen=True)
class _Exemplars:
    texts: tuple[str, ...]
    labels: tuple[str, ...]  # rule id (or "" for clean)
    languages: tuple[str, ...]

    @classmethod
    def of(cls, rows: list[tuple[str, str, str]]) -> _Exemplars:
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows))


class SemanticMatcher:
    """One family's exemplars against the sentences of a text. Cheap to construct: exemplars are
    embedded on `warm_up()` or the first `hits()`."""

    def __init__(
        self,
        family: str,
        rules: list[str],
        data_dir: Path = SEMANTIC_DIR,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        """`rules`: the rule ids the check has enabled; exemplars of other ids are not used (a
        pack's own data file may define fewer rules; tests keep the shipped files consistent)."""
        if family not in FAMILIES:
            raise ConfigError(f"semantic: unknown family {family!r}; valid: {', '.join(FAMILIES)}")
        settings, per_language = _load(data_dir)
        if family not in settings.families:
            raise ConfigError(f"semantic data {data_dir}: thresholds.yaml: no entry for {family}")
        self.family = family
        self.threshold = settings.families[family].threshold
        self.margin = settings.families[family].margin
        positive: list[tuple[str, str, str]] = []
        clean: list[tuple[str, str, str]] = []
        for data in per_language:
            exemplars: dict[str, list[str]] = getattr(data, family)
            for rule, texts in exemplars.items():
                if rule in rules:
                    positive += [(t, rule, data.language) for t in texts]
            clean += [(t, "", data.language) for t in data.clean]
        self._positive = _Exemplars.of(positive)
        self._clean = _Exemplars.of(clean)
        self._encoder = encoder if encoder is not None else shared_encoder()
        self._matrices: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(self._positive.labels))

    @property
    def _empty(self) -> bool:
        # No exemplars for the enabled rules (a pack's own rule set): nothing can match.
        return not self._positive.texts

    def warm_up(self) -> None:
        with self._lock:
            if self._matrices is None and not self._empty:
                encoder = self._encoder
                self._matrices = (
                    encoder.encode(list(self._positive.texts), pinned=True),
                    encoder.encode(list(self._clean.texts), pinned=True),
                )

    def hits(self, text: str) -> list[SemanticHit]:
        """The sentences of `text` that match a rule: at most one hit (the closest rule) each."""
        return [
            hit
            for hit in self.candidates(text)
            if hit.score >= self.threshold and hit.score - hit.clean_score >= self.margin
        ]

    def new_hits(self, text: str, found: list[Finding]) -> list[SemanticHit]:
        """`hits` in sentences that no phrase-list finding of the check already covers."""
        return [
            hit
            for hit in self.hits(text)
            if not any(f.start < hit.end and hit.start < f.end for f in found)
        ]

    def candidates(self, text: str) -> list[SemanticHit]:
        """Every sentence's closest rule exemplar and closest clean exemplar, thresholds not
        applied (what `hits` filters, and what calibration reads)."""
        spans = sentences(text)
        if not spans or self._empty:
            return []
        self.warm_up()
        assert self._matrices is not None
        positive, clean = self._matrices
        vecs = self._encoder.encode([_plain(text[s:e]) for s, e in spans])
        out = []
        for (start, end), pos_row, clean_row in zip(
            spans, vecs @ positive.T, vecs @ clean.T, strict=True
        ):
            best, best_clean = int(np.argmax(pos_row)), int(np.argmax(clean_row))
            out.append(
                SemanticHit(
                    rule=self._positive.labels[best],
                    start=start,
                    end=end,
                    score=float(pos_row[best]),
                    exemplar=self._positive.texts[best],
                    language=self._positive.languages[best],
                    clean_score=float(clean_row[best_clean]),
                    clean_exemplar=self._clean.texts[best_clean],
                )
            )
        return out


def _plain(sentence: str) -> str:
    # A merge tag is a name slot, not meaning; the model would read its braces as words.
    return _MERGE_TAG.sub("", sentence).strip()


@lru_cache(maxsize=8)
def _load(data_dir: Path) -> tuple[SemanticSettings, tuple[LanguageExemplars, ...]]:
    settings = load_data(data_dir / "thresholds.yaml", SemanticSettings, "semantic data")
    per_language = []
    for language in settings.languages:
        data = load_data(data_dir / f"{language}.yaml", LanguageExemplars, "semantic data")
        if data.language != language:
            raise ConfigError(
                f"semantic data {data_dir / f'{language}.yaml'}: language: "
                f"says {data.language!r}, the file name says {language!r}"
            )
        per_language.append(data)
    return settings, tuple(per_language)
