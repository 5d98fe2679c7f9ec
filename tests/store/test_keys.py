"""KeyStore on SQLite and PostgreSQL: keys are shown once, stored hashed, found by id, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from offergen.errors import InvalidInputError, NotFoundError
from offergen.store.auth_tables import ApiKeyRow
from offergen.store.database import Database
from offergen.store.keys import KeyStore, Role, key_id_of


@pytest.fixture
def keys(database: Database) -> KeyStore:
    database.create_schema()
    return KeyStore(database)


def test_a_key_is_returned_once_and_stored_only_as_a_hash(
    keys: KeyStore, database: Database
) -> None:
    info, plaintext = keys.create("acme", Role.marketing, "crm prod")
    assert plaintext.startswith(f"og_{info.id}_") and len(plaintext) > 60
    assert key_id_of(plaintext) == info.id
    assert (info.tenant, info.role, info.label, info.active) == (
        "acme",
        Role.marketing,
        "crm prod",
        True,
    )
    assert info.created_at.tzinfo is not None and info.last_used_at is None
    secret = plaintext.split("_", 2)[2]
    with database.read() as s:
        for row in s.execute(text("SELECT * FROM api_keys")):
            assert all(plaintext not in str(v) and secret not in str(v) for v in row)
        stored = s.scalars(select(ApiKeyRow.key_hash)).one()
    assert len(stored) == 64 and stored != plaintext
    assert "secret" not in repr(info).lower() and plaintext not in repr(info)


def test_keys_are_unique(keys: KeyStore) -> None:
    made = [keys.create("acme", Role.admin) for _ in range(20)]
    assert len({i.id for i, _ in made}) == len({p for _, p in made}) == 20


def test_authenticate(keys: KeyStore) -> None:
    info, plaintext = keys.create("globex", Role.reviewer)
    found = keys.authenticate(plaintext)
    assert found is not None and (found.id, found.tenant, found.role) == (
        info.id,
        "globex",
        Role.reviewer,
    )
    wrong_secret = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    other_id = "og_" + "0" * 16 + "_" + plaintext.split("_", 2)[2]
    assert key_id_of(wrong_secret) == info.id and key_id_of(other_id) == "0" * 16
    for bad in (wrong_secret, other_id, "", "og_", plaintext + "x", plaintext.upper(), "Bearer x"):
        assert keys.authenticate(bad) is None, bad


def test_revoked_keys_fail_and_revoking_is_idempotent(keys: KeyStore) -> None:
    info, plaintext = keys.create("acme", Role.admin)
    _, other_key = keys.create("acme", Role.admin)
    first = keys.revoke(info.id)
    assert first.revoked_at is not None and not first.active
    assert keys.authenticate(plaintext) is None
    assert keys.authenticate(other_key) is not None  # only that key
    assert keys.revoke(info.id).revoked_at == first.revoked_at
    with pytest.raises(NotFoundError, match="unknown API key 'nope'"):
        keys.revoke("nope")


def test_list_and_active_count(keys: KeyStore) -> None:
    assert keys.list() == [] and keys.active_count() == 0
    a, _ = keys.create("acme", Role.marketing)
    b, _ = keys.create("globex", Role.admin)
    c, _ = keys.create("acme", Role.reviewer)
    keys.revoke(c.id)
    assert [k.id for k in keys.list()] == [a.id, b.id, c.id]  # oldest first
    assert [k.id for k in keys.list("acme")] == [a.id, c.id]
    assert keys.list("initech") == []
    assert keys.active_count() == 2


def test_last_used_is_written_at_most_once_a_minute(keys: KeyStore, database: Database) -> None:
    info, plaintext = keys.create("acme", Role.marketing)
    used = keys.authenticate(plaintext)
    assert used is not None and used.last_used_at is not None
    assert keys.get(info.id).last_used_at == used.last_used_at
    again = keys.authenticate(plaintext)
    assert again is not None and again.last_used_at == used.last_used_at  # no second write
    stale = datetime.now(UTC) - timedelta(minutes=5)
    with database.transaction() as s:
        s.execute(update(ApiKeyRow).where(ApiKeyRow.id == info.id).values(last_used_at=stale))
    later = keys.authenticate(plaintext)
    assert later is not None and later.last_used_at is not None
    assert later.last_used_at > stale + timedelta(minutes=4)


@pytest.mark.parametrize(
    ("tenant", "role", "label", "field"),
    [
        ("acme", "owner", "", "role"),
        ("Acme Corp", Role.admin, "", "tenant"),
        ("", Role.admin, "", "tenant"),
        ("acme", Role.admin, "x" * 201, "label"),
    ],
)
def test_bad_tenant_role_or_label_is_a_clear_error(
    keys: KeyStore, tenant: str, role: str, label: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as exc:
        keys.create(tenant, role, label)
    assert [f for f, _ in exc.value.fields] == [field]
    if field == "role":
        assert "valid roles: marketing, reviewer, admin" in str(exc.value)
    assert keys.list() == []
