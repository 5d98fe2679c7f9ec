"""The ONNX Runtime MiniLM encoder against the torch model it replaces in the guard (real model,
real sentences), and the life of its export: built once, rebuilt when missing or unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from offergen.guardrails.minilm_onnx import MiniLMOnnxEncoder
from offergen.guardrails.semantic import MiniLMSentenceEncoder, _plain, sentences
from offergen.paths import REPO_ROOT
from offergen.retrieval.embedder import MiniLMEmbedder

CALIBRATION = REPO_ROOT / "eval" / "guard" / "paraphrase" / "calibration.jsonl"


def _sentences(limit: int) -> list[str]:
    lines = CALIBRATION.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    found = dict.fromkeys(_plain(t[s:e]) for t in texts for s, e in sentences(t))
    return list(found)[:limit]


# Real copy (three languages, merge tags stripped), a long one, and edge cases.
SENTENCES = [
    *_sentences(120),
    "Earn 5% cash back at FreshMart on groceries this month, up to $50, terms apply. " * 8,
    "Approval guaranteed!",
    "",
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return MiniLMEmbedder(precision="fp32").encode(SENTENCES)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("minilm-onnx")


@pytest.fixture(scope="module")
def fp32(export_dir: Path) -> MiniLMOnnxEncoder:
    encoder = MiniLMOnnxEncoder(export_dir=export_dir)
    encoder.warm_up()
    return encoder


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_fp32_vectors_are_the_torch_models(
    fp32: MiniLMOnnxEncoder, torch_vectors: np.ndarray
) -> None:
    vectors = fp32.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert _cosines(vectors, torch_vectors).min() >= 0.9999


def test_a_row_does_not_depend_on_the_other_texts_of_the_call(fp32: MiniLMOnnxEncoder) -> None:
    together = fp32.encode(SENTENCES[:6])
    alone = np.stack([fp32.encode([s])[0] for s in SENTENCES[:6]])
    assert np.allclose(together, alone, atol=1e-5)


def test_int8_stays_close_to_the_torch_model(export_dir: Path, torch_vectors: np.ndarray) -> None:
    # Not the guard's default (fp32 is); eval/bench/sentence_encoder.py gives its figures.
    int8 = MiniLMOnnxEncoder(export_dir=export_dir, precision="int8")
    assert int8.export_name() != MiniLMOnnxEncoder(export_dir=export_dir).export_name()
    assert _cosines(int8.encode(SENTENCES), torch_vectors).min() >= 0.98


def test_a_second_encoder_opens_the_export_the_first_built(fp32: MiniLMOnnxEncoder) -> None:
    assert fp32.export_path is not None and fp32.export_path.is_file()
    before = fp32.export_path.stat().st_mtime_ns
    again = MiniLMOnnxEncoder(export_dir=fp32.export_dir)
    again.warm_up()
    assert again.export_path == fp32.export_path
    assert fp32.export_path.stat().st_mtime_ns == before  # opened, not built again


def test_a_missing_export_is_rebuilt(tmp_path: Path, torch_vectors: np.ndarray) -> None:
    first = MiniLMOnnxEncoder(export_dir=tmp_path)
    first.warm_up()
    assert first.export_path is not None
    first.export_path.unlink()
    second = MiniLMOnnxEncoder(export_dir=tmp_path)
    assert _cosines(second.encode(SENTENCES[:3]), torch_vectors[:3]).min() >= 0.9999
    assert second.export_path == first.export_path and second.export_path.is_file()


def test_an_unreadable_export_is_rebuilt(tmp_path: Path, torch_vectors: np.ndarray) -> None:
    encoder = MiniLMOnnxEncoder(export_dir=tmp_path)
    (tmp_path / encoder.export_name()).write_bytes(b"not a model")  # e.g. a truncated copy
    assert _cosines(encoder.encode(SENTENCES[:3]), torch_vectors[:3]).min() >= 0.9999
    assert encoder.export_path is not None and encoder.export_path.stat().st_size > 10_000_000
    assert not list(tmp_path.glob("*.tmp-*"))  # no staging file left behind


def test_an_export_dir_that_cannot_be_written_builds_for_the_process(
    tmp_path: Path, torch_vectors: np.ndarray
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    encoder = MiniLMOnnxEncoder(export_dir=blocker / "exports")
    assert _cosines(encoder.encode(SENTENCES[:3]), torch_vectors[:3]).min() >= 0.9999
    assert encoder.export_path is None


def test_construction_is_cheap_and_nothing_is_encoded_for_no_texts(tmp_path: Path) -> None:
    encoder = MiniLMOnnxEncoder(export_dir=tmp_path / "never")
    assert encoder.encode([]).shape == (0, 384)
    assert not encoder.ready and not (tmp_path / "never").exists()
    with pytest.raises(ValueError, match="fp32 or int8"):
        MiniLMOnnxEncoder(precision="bf16")  # type: ignore[arg-type]


def test_the_sentence_encoder_counts_model_calls_through_it(fp32: MiniLMOnnxEncoder) -> None:
    encoder = MiniLMSentenceEncoder(model=fp32)
    before = fp32.model_encoded
    encoder.encode(["Earn points on every trip.", "Earn points on every trip."])
    assert encoder.encoded == before + 1
