"""The converted checkpoint must be the GGUF model, not an approximation of it."""

from __future__ import annotations

import pytest

from offergen.config import Settings
from offergen.generation.prepare import gguf_path, is_prepared, load_gguf, prepare
from offergen.generation.profiles import load_profile

PROMPTS = [
    "FreshMart (grocery) marketing archive.\n"
    "Terms: 5% cashback; min spend $50\nChannel: sms\nCopy:",
    "The capital of France is",
]


@pytest.mark.model
def test_checkpoint_matches_gguf_greedy_output(prepared_settings: Settings) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    profile = load_profile(prepared_settings.models_dir, "embedded")
    checkpoint = profile.checkpoint_dir(prepared_settings.checkpoints_dir)
    assert is_prepared(profile, prepared_settings.checkpoints_dir)

    gguf_model, gguf_tok = load_gguf(gguf_path(profile, prepared_settings.checkpoints_dir))
    converted = AutoModelForCausalLM.from_pretrained(str(checkpoint), dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(str(checkpoint))
    for prompt in PROMPTS:
        ids = tok(prompt, return_tensors="pt")
        assert (
            ids["input_ids"].tolist() == gguf_tok(prompt, return_tensors="pt")["input_ids"].tolist()
        )
        with torch.inference_mode():
            a = gguf_model.generate(**ids, max_new_tokens=24, do_sample=False)
            b = converted.generate(**ids, max_new_tokens=24, do_sample=False)
            la = gguf_model(**ids).logits
            lb = converted(**ids).logits
        assert a.tolist() == b.tolist()
        torch.testing.assert_close(la, lb, rtol=1e-4, atol=1e-3)


def test_prepare_twice_is_a_no_op(prepared_settings: Settings) -> None:
    profile = load_profile(prepared_settings.models_dir, "embedded")
    result = prepare(profile, prepared_settings.checkpoints_dir)
    assert result.created is False
    assert (result.checkpoint_dir / "model.safetensors").is_file()
