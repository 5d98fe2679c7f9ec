"""The demo's data files: read lazily, typed, and cross-checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from offergen.demo import tables as tables_module
from offergen.demo.tables import DATA_DIR, tables
from offergen.errors import ConfigError


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the data files that `tables()` reads instead (the cache is cleared around)."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    monkeypatch.setattr(tables_module, "DATA_DIR", copy)
    tables.cache_clear()
    yield copy
    tables.cache_clear()


def test_importing_reads_no_data() -> None:
    code = (
        "import offergen.demo.generator, offergen.demo.seed\n"
        "from offergen.demo.tables import tables\n"
        "print(tables.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_shared_category_values_are_folded_in() -> None:
    grocery = tables().categories["grocery"]
    assert grocery.segments[:4] == ("general", "new_customers", "lapsed_90d", "high_spenders")
    assert grocery.segments[4:] == ("families", "students", "weekly_shoppers")
    assert tables().categories["travel"].ship == "shipping"  # from `defaults`


def test_a_merchant_with_an_unknown_voice_is_a_config_error(data_copy: Path) -> None:
    path = data_copy / "merchants.yaml"
    path.write_text(path.read_text().replace("voice: friendly", "voice: grumpy", 1))
    with pytest.raises(ConfigError, match=r"FreshMart.*unknown voice 'grumpy'"):
        tables()


def test_a_malformed_file_is_named(data_copy: Path) -> None:
    (data_copy / "voices.yaml").write_text("voices:\n  friendly:\n    exclamation: maybe\n")
    with pytest.raises(ConfigError, match=r"voices\.yaml.*friendly"):
        tables()
