"""`offergen db upgrade | current` as an operator runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.store.migrate import head

runner = CliRunner()
LEGACY = Path(__file__).parent.parent / "store" / "fixtures" / "legacy-0.1.db"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data dir whose database does not exist yet."""
    url = f"sqlite:///{tmp_path / 'offergen.db'}"
    return {"OFFERGEN_DATA_DIR": str(tmp_path), "OFFERGEN_DATABASE_URL": url}


def test_upgrade_then_current_prints_the_head(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["db", "current"], env=env).stdout == "none\n"

    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.endswith(f": upgraded from none to {head()} (head)\n")

    shown = runner.invoke(app, ["db", "current"], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == f"{head()} (head)\n"

    again = runner.invoke(app, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and again.stdout.endswith(f": already at {head()} (head)\n")


def test_upgrade_adopts_a_database_from_before_migrations(
    env: dict[str, str], tmp_path: Path
) -> None:
    shutil.copyfile(LEGACY, tmp_path / "offergen.db")
    assert runner.invoke(app, ["db", "current"], env=env).stdout == "none\n"
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"upgraded from none to {head()} (head)" in upgraded.stdout


def test_upgrade_to_a_given_revision(env: dict[str, str]) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade", "0001"], env=env)
    assert upgraded.exit_code == 0 and upgraded.stdout.endswith(": upgraded from none to 0001\n")
    assert runner.invoke(app, ["db", "current"], env=env).stdout == "0001\n"


def test_an_unknown_revision_fails_cleanly(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade", "9999"], env=env)
    assert result.exit_code == 1
    assert "error:" in result.stderr and "9999" in result.stderr


def test_a_database_error_never_shows_the_password(env: dict[str, str]) -> None:
    # nothing listens on port 1: the connection is refused at once
    url = "postgresql+psycopg://offergen:s3cret-pw@127.0.0.1:1/offergen"
    result = runner.invoke(app, ["db", "current"], env=env | {"OFFERGEN_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "database error on postgresql+psycopg://offergen:***@127.0.0.1:1" in result.stderr
    assert "s3cret-pw" not in result.output
