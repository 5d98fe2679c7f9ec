"""`offergen keys create | list | revoke` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.config import Settings
from offergen.demo.generator import generate_demo_kb
from offergen.store.database import Database
from offergen.store.keys import KeyStore, Role
from tests.support.databases import load_kb

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data dir whose database holds a small demo KB (tenants acme and globex)."""
    db = Database(Settings(data_dir=tmp_path).db_url)
    load_kb(db, generate_demo_kb(n_merchants=3, offers_per_merchant=2))
    db.dispose()
    return {"OFFERGEN_DATA_DIR": str(tmp_path)}


def _keys(env: dict[str, str]) -> KeyStore:
    return KeyStore(Database(Settings(data_dir=Path(env["OFFERGEN_DATA_DIR"])).db_url))


def test_create_prints_the_key_once_with_a_warning(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["keys", "create", "--tenant", "acme", "--role", "marketing", "--label", "crm"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    head, plaintext = result.stdout.strip().splitlines()
    assert "only time the key is shown" in result.stderr
    info = _keys(env).authenticate(plaintext)
    assert info is not None and (info.tenant, info.role, info.label) == (
        "acme",
        Role.marketing,
        "crm",
    )
    assert head == f"created key {info.id} (tenant acme, role marketing)"

    listed = runner.invoke(app, ["keys", "list"], env=env)
    assert listed.exit_code == 0 and info.id in listed.stdout
    assert plaintext not in listed.stdout and plaintext.split("_", 2)[2] not in listed.stdout


def test_create_as_json(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["keys", "create", "--tenant", "globex", "--role", "admin", "--format", "json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["tenant"], out["role"], out["active"], out["revoked_at"]) == (
        "globex",
        "admin",
        True,
        None,
    )
    assert out["key"].startswith(f"og_{out['id']}_") and "only time" in result.stderr


def test_list_filters_by_tenant_and_revoke_takes_effect(env: dict[str, str]) -> None:
    keys = _keys(env)
    acme, acme_key = keys.create("acme", Role.reviewer)
    globex, _ = keys.create("globex", Role.marketing)
    listed = json.loads(
        runner.invoke(app, ["keys", "list", "--tenant", "acme", "--format", "json"], env=env).stdout
    )
    assert [k["id"] for k in listed] == [acme.id] and "key" not in listed[0]

    revoked = runner.invoke(app, ["keys", "revoke", acme.id], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout.strip() == f"revoked key {acme.id} (tenant acme, role reviewer)"
    assert keys.authenticate(acme_key) is None
    table = runner.invoke(app, ["keys", "list"], env=env).stdout.splitlines()
    status = {line.split()[0]: line for line in table}
    assert "revoked" in status[acme.id] and "active" in status[globex.id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["keys", "create", "--tenant", "acme", "--role", "owner"],
            "unknown role 'owner'; valid roles: marketing, reviewer, admin",
        ),
        (
            ["keys", "create", "--tenant", "initech", "--role", "admin"],
            "unknown tenant 'initech': no merchant belongs to it (tenants: acme, globex)",
        ),
        (["keys", "create", "--tenant", "Bad Tenant!", "--role", "admin"], "unknown tenant"),
        (["keys", "revoke", "0123456789abcdef"], "unknown API key '0123456789abcdef'"),
    ],
)
def test_bad_role_tenant_or_id_is_exit_1_on_stderr(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and result.stdout == ""
    assert _keys(env).list() == []
