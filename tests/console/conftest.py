"""Fixtures for the console tests: the API app of tests/api (two tenants, scripted model, real
keys) with a signed-in client per role and tenant, and held records queued for review."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.store.keys import KeyStore
from tests.api.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    Api,
    MakeApi,
    api_kb,
    keys,
    make_api,
)
from tests.console.browser import browser, page  # noqa: F401 - fixtures, as above
from tests.store.audit_records import held

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m is not None, "the page has no form with a CSRF token"
    return m.group(1)


def sign_in(client: TestClient, key: str) -> TestClient:
    form = client.get("/console/")
    r = client.post(
        "/console/sign-in",
        data={"api_key": key, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


# Releasable drafts that differ enough not to be one variant (the pipeline drops near-repeats).
DRAFTS = [
    "Get 10% cashback at FreshMart. Terms apply.",
    "Groceries pay you back: 10% cashback at FreshMart this month. Terms apply.",
    "Your weekly shop just got better with 10% cashback from FreshMart. Terms apply.",
    "Stock the pantry and earn 10% cashback at FreshMart. Terms apply.",
]


@pytest.fixture
def api(make_api: MakeApi) -> Api:  # noqa: F811 - the imported fixture
    return make_api(DRAFTS * 8)


@pytest.fixture
def new_key(keys: KeyStore) -> Callable[[str, Role], str]:  # noqa: F811 - the imported fixture
    def make(tenant: str, role: Role) -> str:
        return keys.create(tenant, role)[1]

    return make


SignedIn = Callable[..., TestClient]


@pytest.fixture
def signed_in(api: Api, new_key: Callable[[str, Role], str]) -> SignedIn:
    """`signed_in(role=..., tenant=...)`: a new client with a session for a new key."""

    def make(role: Role = Role.reviewer, tenant: str = "acme") -> TestClient:
        client = TestClient(api.client.app)
        return sign_in(client, new_key(tenant, role))

    return make


QueueHeld = Callable[..., list[int]]


@pytest.fixture
def queue_held(api: Api) -> QueueHeld:
    """`queue_held(tenant, **record fields)`: one held record queued for review; item ids."""

    def make(tenant: str = "acme", n: int = 1, **over: Any) -> list[int]:
        rid = f"r{uuid.uuid4().hex[:12]}"
        records = [held(rid, i, tenant=tenant, **over) for i in range(n)]
        api.ctx.audit.append(records)
        pending = api.ctx.reviews.pending(tenant, limit=500).items
        return [i.id for i in pending if i.record.request_id == rid]

    return make
