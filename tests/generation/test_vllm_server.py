"""The vLLM server command of a profile, and the server the API starts with itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from offergen.config import Settings
from offergen.errors import BackendError, ConfigError
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.generation.vllm_server import ManagedServer, server_command, wait_until_serving


@pytest.fixture
def profile(repo_root: Path) -> ModelProfile:
    return load_profile(repo_root / "models", "embedded-vllm")


def test_command_serves_the_prepared_checkpoint_offline(
    profile: ModelProfile, tmp_path: Path
) -> None:
    (tmp_path / profile.checkpoint).mkdir()
    python = tmp_path / "python"
    python.touch()
    p = profile.model_copy(
        update={"server": profile.server.model_copy(update={"python": str(python)})}
    )
    argv, env = server_command(p, tmp_path, tmp_path / "cache")
    assert argv[:3] == [str(python), "-m", "vllm.entrypoints.openai.api_server"]
    flags = dict(zip(argv[3::2], argv[4::2], strict=False))
    assert flags["--model"] == str(tmp_path / profile.checkpoint)
    assert flags["--served-model-name"] == profile.model_id
    assert (flags["--host"], flags["--port"], flags["--dtype"]) == ("127.0.0.1", "8100", "bfloat16")
    assert env["HF_HUB_OFFLINE"] == "1" and env["VLLM_CPU_KVCACHE_SPACE"] == "2"
    assert env["VLLM_CACHE_ROOT"] == str(tmp_path / "cache")  # not ~/.cache


def test_command_errors_say_what_to_do(
    profile: ModelProfile, repo_root: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="transformers backend, not vllm"):
        server_command(load_profile(repo_root / "models", "embedded"), tmp_path)
    missing = profile.model_copy(
        update={"server": profile.server.model_copy(update={"python": str(tmp_path / "nope")})}
    )
    with pytest.raises(ConfigError, match="run `make vllm`"):
        server_command(missing, tmp_path)
    python = tmp_path / "python"
    python.touch()
    no_model = profile.model_copy(
        update={"server": profile.server.model_copy(update={"python": str(python)})}
    )
    with pytest.raises(ConfigError, match="offergen model prepare"):
        server_command(no_model, tmp_path)


def test_waiting_for_a_server_that_never_comes_up() -> None:
    with pytest.raises(BackendError, match="not serving after 1 s"):
        wait_until_serving("http://127.0.0.1:9", 1)


@pytest.mark.model
def test_the_api_reuses_a_serving_vllm_and_generates_through_it(
    vllm_profile: ModelProfile, prepared_settings: Settings, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from offergen.api.app import create_app
    from offergen.app_context import open_context

    server = ManagedServer(vllm_profile, prepared_settings.checkpoints_dir)
    server.start()  # something already serves the URL (the session's server): reused, not spawned
    assert server.process is None
    settings = Settings(
        data_dir=tmp_path,
        database_url=prepared_settings.db_url,
        model_profile="embedded-vllm",
        seed=3,
    )
    for name in ("models", "index"):
        (tmp_path / name).symlink_to(prepared_settings.data_dir / name)
    with TestClient(create_app(open_context(settings))) as client:
        import time

        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        body = {
            "merchant_id": "m_freshmart",
            "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
            "channel": "sms",
            "variants": 2,
        }
        r = client.post("/v1/offers:generate", json=body)
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["model"] == {"id": "google/gemma-3-270m", "backend": "vllm"}
        assert any(v["released"] for v in data["variants"]), data["variants"]
