"""Fixtures for the API tests: an app over a private copy of the small knowledge base (two
tenants: acme owns m_freshmart and m_skyhop_airways, globex owns m_bella_forno), a scripted model,
and API keys created the way `offergen keys create` creates them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.api.principal import Role
from offergen.app_context import AppContext, assemble
from offergen.config import Settings
from offergen.store.database import Database
from offergen.store.keys import KeyStore
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.doubles import ScriptedBackend
from tests.support.pipelines import build_pipeline

ACME_MERCHANT = ("m_freshmart", "FreshMart")
GLOBEX_MERCHANT = ("m_bella_forno", "Bella Forno")
RELEASABLE = "Get 10% cashback at FreshMart. Terms apply."
CARD = "4111 1111 1111 1111"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def generate_body(merchant: tuple[str, str] = ACME_MERCHANT, **over: Any) -> dict[str, Any]:
    merchant_id, name = merchant
    body: dict[str, Any] = {
        "merchant_id": merchant_id,
        "offer": {"kind": "cashback", "merchant": name, "value": 10, "unit": "percent"},
        "channel": "sms",
        "variants": 1,
    }
    return body | over


@dataclass
class Api:
    client: TestClient
    ctx: AppContext
    backend: ScriptedBackend


MakeApi = Callable[..., Api]


@pytest.fixture
def api_kb(small_kb: tuple[KnowledgeBase, Path], tmp_path: Path) -> KnowledgeBase:
    """A private copy of the small KB: the tests write keys (and audit records) to it."""
    src = small_kb[0]
    kb = KnowledgeBase(Database(f"sqlite:///{tmp_path / 'api' / 'kb.db'}"))
    kb.create_schema()
    merchants = src.merchants()
    kb.upsert(merchants, [r for m in merchants for r in src.rules(m.id)], src.past_offers())
    return kb


@pytest.fixture
def keys(api_kb: KnowledgeBase) -> KeyStore:
    return KeyStore(api_kb.db)


@pytest.fixture
def make_api(
    small_kb: tuple[KnowledgeBase, Path],
    api_kb: KnowledgeBase,
    tmp_path: Path,
) -> MakeApi:
    """`make_api(texts, **settings)`: create the keys a test needs first, since the app checks
    at start-up whether keys exist (the profile and host decide whether it may run without)."""

    def make(texts: list[str] | None = None, **settings: Any) -> Api:
        backend = ScriptedBackend(texts if texts is not None else [RELEASABLE] * 20)
        # the small KB's index over the private copy: same rows, same ids
        pipeline = build_pipeline(api_kb, small_kb[1], backend)
        url = api_kb.db.engine.url.render_as_string(hide_password=False)
        ctx = assemble(Settings(data_dir=tmp_path, database_url=url, **settings), pipeline)
        return Api(client=TestClient(create_app(ctx)), ctx=ctx, backend=backend)

    return make


@pytest.fixture
def role_keys(keys: KeyStore) -> dict[tuple[Role, str], str]:
    """A key for each role in each tenant."""
    return {(r, t): keys.create(t, r)[1] for r in Role for t in ("acme", "globex")}
