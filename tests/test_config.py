from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from offergen.config import Settings


def test_everything_written_lives_under_the_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "d")
    for path in (s.index_dir, s.checkpoints_dir, s.cache_dir):
        assert path.is_relative_to(tmp_path / "d")
    assert s.db_url == f"sqlite:///{tmp_path / 'd' / 'offergen.db'}"


def test_database_url_and_nested_params(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFERGEN_DATABASE_URL", "postgresql+psycopg://u:s3cret@db/offergen")
    monkeypatch.setenv("OFFERGEN_INDEX", '{"ann": "ivf", "exact_max": 1000}')
    monkeypatch.setenv("OFFERGEN_RANKING", '{"performance_weight": 0.2}')
    s = Settings()
    assert s.db_url.endswith("@db/offergen") and "s3cret" not in repr(s)
    assert (s.index.ann, s.index.exact_max, s.index.hnsw_m) == ("ivf", 1000, 32)
    assert s.ranking.performance_weight == 0.2
    monkeypatch.setenv("OFFERGEN_INDEX", '{"anns": "ivf"}')
    with pytest.raises(ValidationError, match="anns"):
        Settings()


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFERGEN_PORT", "8123")
    monkeypatch.setenv("OFFERGEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OFFERGEN_PROFILE", "prod")
    s = Settings()
    assert (s.port, s.data_dir, s.profile) == (8123, tmp_path, "prod")


def test_plaintext_api_keys_are_no_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # keys live hashed in the database (`offergen keys create`), never in the environment
    monkeypatch.setenv("OFFERGEN_API_KEYS", '["k1"]')
    with pytest.raises(ValidationError, match=r"unknown setting.*OFFERGEN_API_KEYS"):
        Settings()


def test_unknown_or_bad_values_are_errors() -> None:
    with pytest.raises(ValidationError, match="retreive_k"):
        Settings(retreive_k=3)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)


def test_a_misspelt_environment_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFERGEN_RETREIVE_K", "3")
    with pytest.raises(
        ValidationError, match=r"unknown setting.*OFFERGEN_RETREIVE_K.*OFFERGEN_RETRIEVE_K"
    ):
        Settings()
