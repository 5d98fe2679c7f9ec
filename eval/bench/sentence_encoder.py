"""The guard's sentence encoder: torch fp32 (sentence-transformers, the retriever's path) vs the
ONNX Runtime encoder of the semantic layer (offergen/guardrails/minilm_onnx.py), fp32 and int8.

Latency: per text, as the guard embeds it (the sentences of one text in one call, none cached),
one thread, the encoders called in turn text by text so they share the machine's noise; p50/p95
and the ratio torch / ONNX are the figures to trust on a shared box.
Fidelity: cosine of each ONNX vector with the torch fp32 vector of the same sentence (the texts of
the paraphrase calibration split, split into sentences as the guard does).

Run: `.venv/bin/python eval/bench/sentence_encoder.py [--reps N] [--json OUT]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    # One thread everywhere; set before anything imports numpy/torch.
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from guard import percentiles, time_interleaved  # eval/bench is sys.path[0] when run

from offergen.guardrails.minilm_onnx import MiniLMOnnxEncoder
from offergen.guardrails.semantic import _plain, sentences
from offergen.retrieval.embedder import MiniLMEmbedder

REPO_ROOT = Path(__file__).resolve().parents[2]
PARAPHRASE = REPO_ROOT / "eval" / "guard" / "paraphrase"
LATENCY_MAX_CHARS = 300  # as eval/bench/guard.py

Encode = Callable[[list[str]], np.ndarray]


def split(text: str) -> list[str]:
    return [_plain(text[s:e]) for s, e in sentences(text)]


def texts_of(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def fidelity(encode: Encode, texts: Sequence[str], reference: dict[str, np.ndarray]) -> np.ndarray:
    """Cosine with the reference vector per sentence, each text encoded as the guard does."""
    got: dict[str, np.ndarray] = {}
    for text in texts:
        batch = split(text)
        if batch:
            got.update(zip(batch, encode(batch), strict=True))
    names = sorted(reference)
    ours = np.stack([got[s] for s in names])
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    return np.asarray((ours * np.stack([reference[s] for s in names])).sum(axis=1))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=3, help="latency repetitions per text")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write figures")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    torch_fp32 = MiniLMEmbedder(precision="fp32")  # no disk cache: every call runs the model
    torch_fp32.warm_up()
    with tempfile.TemporaryDirectory(prefix="offergen-bench-onnx-") as tmp:
        onnx = {p: MiniLMOnnxEncoder(export_dir=Path(tmp), precision=p) for p in ("fp32", "int8")}
        for encoder in onnx.values():
            t0 = time.perf_counter()
            encoder.warm_up()  # a fresh folder: this is the export's one-off cost
            print(f"onnx {encoder.precision} export + load: {time.perf_counter() - t0:.1f} s")
        encoders: dict[str, Encode] = {"torch fp32": torch_fp32.encode}
        encoders |= {f"onnx {p}": e.encode for p, e in onnx.items()}

        calibration = texts_of(PARAPHRASE / "calibration.jsonl")
        unique = list(dict.fromkeys(s for t in calibration for s in split(t)))
        reference = dict(zip(unique, torch_fp32.encode(unique), strict=True))
        figures: dict[str, Any] = {"fidelity_sentences": len(unique), "fidelity": {}}
        print(f"\nfidelity: cosine with torch fp32 over {len(unique)} calibration sentences")
        for name, encode in encoders.items():
            if name == "torch fp32":
                continue
            cos = fidelity(encode, calibration, reference)
            row = {
                "min": float(cos.min()),
                "p1": float(np.percentile(cos, 1)),
                "p5": float(np.percentile(cos, 5)),
                "mean": float(cos.mean()),
                "below_0.99": int((cos < 0.99).sum()),
            }
            figures["fidelity"][name] = row
            print(
                f"  {name:11s} min {row['min']:.4f}  p1 {row['p1']:.4f}  p5 {row['p5']:.4f}  "
                f"mean {row['mean']:.4f}  below 0.99: {row['below_0.99']}"
            )

        held = texts_of(PARAPHRASE / "heldout.jsonl")
        batches = [b for b in (split(t) for t in held if len(t) <= LATENCY_MAX_CHARS) if b]
        samples = time_interleaved(encoders, batches, max(1, args.reps))
        lat = {name: percentiles(s) for name, s in samples.items()}
        base = lat["torch fp32"]
        figures |= {"texts": len(batches), "reps": args.reps, "latency_ms": lat}
        mean_sentences = statistics.fmean(len(b) for b in batches)
        print(
            f"\nlatency per text ({len(batches)} held-out texts <= {LATENCY_MAX_CHARS} chars, "
            f"{mean_sentences:.2f} sentences each, x{args.reps} reps, one thread), ms:"
        )
        for name, row in lat.items():
            speedup = {k: base[k] / row[k] for k in ("p50", "p95")}
            print(
                f"  {name:11s} p50 {row['p50']:6.2f}  p95 {row['p95']:6.2f}  "
                f"torch/this p50 x{speedup['p50']:.2f}  p95 x{speedup['p95']:.2f}"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
