"""The semantic layer on the real MiniLM model, with exemplar data written for these tests (the
shipped exemplars and thresholds are scored by eval/guard/calibrate_semantic.py and the corpora)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from offergen.errors import ConfigError
from offergen.guardrails.datafile import DATA_DIR
from offergen.guardrails.minilm_onnx import MiniLMOnnxEncoder
from offergen.guardrails.semantic import (
    FAMILIES,
    SEMANTIC_DIR,
    MiniLMSentenceEncoder,
    SemanticMatcher,
    sentences,
    shared_encoder,
)
from offergen.retrieval.embedder import VectorCache
from offergen.schemas import Finding, Severity

RULES = ["guarantee", "no_credit_check", "urgency"]


def _write(folder: Path, *, en_claims: str, threshold: float = 0.55, margin: float = 0.05) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thresholds.yaml").write_text(
        "languages: [en, de]\nsource: test\nfamilies:\n"
        f"  claims: {{threshold: {threshold}, margin: {margin}}}\n",
        encoding="utf-8",
    )
    (folder / "en.yaml").write_text(
        f"language: en\nclaims:\n{en_claims}\n"
        "clean:\n  - Subject to credit approval.\n  - Applying may affect your credit score.\n"
        "  - Earn 5% cash back on groceries this month.\n",
        encoding="utf-8",
    )
    (folder / "de.yaml").write_text(
        "language: de\nclaims:\n  guarantee: [Die Zusage ist garantiert.]\n"
        "clean: [Es gelten die Teilnahmebedingungen.]\n",
        encoding="utf-8",
    )
    return folder


EN = (
    "  guarantee: [Your approval is guaranteed., Everyone who applies gets approved.]\n"
    "  no_credit_check: [We never check your credit., Applying will not touch your credit score.]"
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("semantic"), en_claims=EN)


def test_sentences_are_split_trimmed_and_short_ones_left_out() -> None:
    text = "Hi {{first_name}}! Nobody gets turned down.\nAct now. Shop at FreshMart today"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Nobody gets turned down.",
        "Shop at FreshMart today",
    ]
    assert sentences("") == [] and sentences("5% off. Go!") == []


def test_a_paraphrase_matches_its_rule_and_says_which_exemplar(data: Path) -> None:
    matcher = SemanticMatcher("claims", RULES, data_dir=data)
    text = "Get 5% back at FreshMart. Nobody who applies is ever turned down."
    [hit] = matcher.hits(text)
    assert hit.rule == "guarantee"
    assert text[hit.start : hit.end] == "Nobody who applies is ever turned down."
    assert hit.score >= matcher.threshold and hit.score - hit.clean_score >= matcher.margin
    assert hit.exemplar in {"Your approval is guaranteed.", "Everyone who applies gets approved."}
    assert "exemplar" in hit.explain() and f"{hit.score:.2f}" in hit.explain()


def test_what_the_clean_exemplars_cover_is_not_a_hit(data: Path) -> None:
    matcher = SemanticMatcher("claims", RULES, data_dir=data)
    [candidate] = matcher.candidates("Approval is subject to credit review.")
    assert matcher.hits("Approval is subject to credit review.") == []
    assert candidate.clean_exemplar == "Subject to credit approval."


def test_the_enabled_rules_limit_what_can_match(data: Path) -> None:
    matcher = SemanticMatcher("claims", ["no_credit_check"], data_dir=data)
    assert matcher.rules == ["no_credit_check"]
    assert all(h.rule == "no_credit_check" for h in matcher.candidates("Approval guaranteed!"))


def test_sentences_a_phrase_finding_already_covers_are_not_reported_twice(data: Path) -> None:
    matcher = SemanticMatcher("claims", RULES, data_dir=data)
    text = "Nobody who applies is ever turned down."
    found = Finding(
        check="claims",
        rule_id="claims.guarantee",
        severity=Severity.block,
        start=0,
        end=6,
        message="m",
        explanation="e",
    )
    assert matcher.hits(text) and matcher.new_hits(text, [found]) == []


def test_exemplars_of_rules_the_check_does_not_enable_are_not_used(tmp_path: Path) -> None:
    folder = _write(tmp_path, en_claims=EN)
    matcher = SemanticMatcher("claims", ["guarantee"], data_dir=folder)
    assert matcher.rules == ["guarantee"]


@pytest.mark.parametrize("family", FAMILIES)
def test_the_shipped_exemplars_name_only_rules_their_check_defines(family: str) -> None:
    defined = {
        "claims": {r["id"] for r in _data("claims")["rules"]},
        "fairness": set(_data("fairness")["classes"]),
        "unsafe_output": {r["id"] for r in _data("unsafe_output")["rules"]},
    }[family]
    for path in sorted(SEMANTIC_DIR.glob("??.yaml")):
        named = set(yaml.safe_load(path.read_text(encoding="utf-8")).get(family) or {})
        assert named <= defined, f"{path.name}: {sorted(named - defined)}"


def _data(check: str) -> Any:
    return yaml.safe_load((DATA_DIR / f"{check}.yaml").read_text(encoding="utf-8"))


def test_a_language_file_that_names_another_language_is_a_config_error(tmp_path: Path) -> None:
    folder = _write(tmp_path, en_claims=EN)
    (folder / "de.yaml").write_text("language: fr\nclean: [Voir conditions.]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"de\.yaml: language: says 'fr'"):
        SemanticMatcher("claims", RULES, data_dir=folder)


def test_a_family_without_thresholds_is_a_config_error(data: Path) -> None:
    with pytest.raises(ConfigError, match="no entry for fairness"):
        SemanticMatcher("fairness", ["age"], data_dir=data)


def test_the_encoder_embeds_a_sentence_once_per_process() -> None:
    encoder = MiniLMSentenceEncoder(cache_size=4)
    first = encoder.encode(["Earn points on every trip.", "Earn points on every trip."])
    again = encoder.encode(["Earn points on every trip."])
    assert encoder.encoded == 1
    assert first.shape == (2, 384) and np.allclose(first[0], again[0])
    assert np.isclose(np.linalg.norm(first[0]), 1.0, atol=1e-4)
    encoder.encode([f"Sentence number {i} about rewards." for i in range(6)])
    assert encoder.encode(["Earn points on every trip."]) is not None and encoder.encoded == 8


def test_every_check_shares_one_encoder() -> None:
    assert shared_encoder() is shared_encoder()


class _HeldModel:
    """A sentence model whose first call waits until the test lets it go."""

    dim = 384

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.model_encoded = 0

    def warm_up(self) -> None:
        pass

    def encode(self, texts: list[str]) -> np.ndarray:
        self.entered.set()
        assert self.release.wait(10)
        self.model_encoded += len(texts)
        return np.eye(1, 384, dtype=np.float32).repeat(len(texts), axis=0)


def test_a_cached_sentence_does_not_wait_for_another_callers_model_call() -> None:
    model = _HeldModel()
    model.release.set()
    encoder = MiniLMSentenceEncoder(model=model)  # type: ignore[arg-type]
    encoder.encode(["Terms apply to this offer."], pinned=True)
    model.release.clear()
    slow = threading.Thread(target=encoder.encode, args=(["A draft sentence never seen."],))
    slow.start()
    assert model.entered.wait(10)
    try:
        started = time.monotonic()
        assert encoder.encode(["Terms apply to this offer."]).shape == (1, 384)
        assert time.monotonic() - started < 1  # not held behind the model call in flight
    finally:
        model.release.set()
        slow.join(10)
    assert encoder.encoded == 2


def test_pinned_vectors_are_kept_on_disk_for_the_next_process_and_nothing_else(
    tmp_path: Path,
) -> None:
    exemplars = ["Approval is guaranteed for every applicant.", "Earn 5% back on groceries."]
    first = MiniLMSentenceEncoder(model=MiniLMOnnxEncoder(export_dir=tmp_path))
    vectors = first.encode(exemplars, pinned=True)
    first.encode(["Jane Roe's card ending 4242 was declined."])  # copy being checked
    second = MiniLMSentenceEncoder(model=MiniLMOnnxEncoder(export_dir=tmp_path))
    assert np.allclose(second.encode(exemplars, pinned=True), vectors)
    assert second.encoded == 0  # read back, not embedded again
    (stored,) = tmp_path.glob("*.pinned.sqlite3")
    assert len(VectorCache(stored, 384)) == 2  # the exemplars only


def test_the_encoder_keeps_its_files_where_the_assembly_says(tmp_path: Path) -> None:
    encoder = MiniLMSentenceEncoder(model=MiniLMOnnxEncoder())
    encoder.keep_files_in(tmp_path / "cache")
    encoder.encode(["Approval is guaranteed for every applicant."], pinned=True)
    assert list((tmp_path / "cache").glob("*.onnx"))
    assert list((tmp_path / "cache").glob("*.pinned.sqlite3"))
