"""API keys at the HTTP surface: 401 without a valid key, 403 for a role a route does not take,
and the start-up policy (keyless only for the dev profile on loopback with no key in the DB)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.errors import ConfigError
from offergen.store.keys import KeyStore
from tests.api.conftest import MakeApi, auth
from tests.api.routes_table import ROUTES, Route


def _call(client: TestClient, route: Route, headers: dict[str, str] | None = None) -> Any:
    return client.request(route.method, route.path, json=route.body, headers=headers)


def _assert_401(r: Any) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == r.headers["X-Request-ID"]


@pytest.fixture
def client(make_api: MakeApi, role_keys: dict[tuple[Role, str], str]) -> TestClient:
    return make_api().client


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_key_is_401(client: TestClient, route: Route) -> None:
    _assert_401(_call(client, route))


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_revoked_key_is_401(make_api: MakeApi, keys: KeyStore, route: Route) -> None:
    info, key = keys.create("acme", Role.admin)
    keys.create("acme", Role.admin)  # another active key: enforcement stays on
    client = make_api().client
    assert _call(client, route, auth(key)).status_code < 400
    keys.revoke(info.id)
    _assert_401(_call(client, route, auth(key)))


@pytest.mark.parametrize(
    "token",
    [
        "og_0123456789abcdef_" + "A" * 43,  # well-formed, no such key
        "not-a-key",
        "og_0123456789abcdef_short",
    ],
)
def test_unknown_or_malformed_key_is_401_and_not_echoed(client: TestClient, token: str) -> None:
    r = client.get("/v1/merchants", headers=auth(token))
    _assert_401(r)
    assert token not in r.text


def test_a_key_with_the_right_id_and_a_wrong_secret_is_401(
    client: TestClient, keys: KeyStore
) -> None:
    info, key = keys.create("acme", Role.admin)
    forged = key[: -len("x")] + ("x" if key[-1] != "x" else "y")
    assert forged != key and forged.startswith(f"og_{info.id}_")
    _assert_401(client.get("/v1/merchants", headers=auth(forged)))


def test_probes_and_the_schema_stay_open(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_role_gets_its_routes_and_403_elsewhere(
    client: TestClient, role_keys: dict[tuple[Role, str], str], route: Route
) -> None:
    for role in Role:
        r = _call(client, route, auth(role_keys[role, "acme"]))
        if role in route.roles:
            assert r.status_code == route.ok, (role, r.text)
        else:
            assert r.status_code == 403, (role, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            problem = r.json()
            assert problem["title"] == "Forbidden" and problem["status"] == 403


def test_last_used_is_recorded(client: TestClient, keys: KeyStore) -> None:
    info, key = keys.create("acme", Role.marketing)
    assert keys.get(info.id).last_used_at is None
    assert client.get("/v1/merchants", headers=auth(key)).status_code == 200
    assert keys.get(info.id).last_used_at is not None


# --- start-up policy ---------------------------------------------------------------------------


def test_dev_on_loopback_without_keys_serves_keyless_and_says_so(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="offergen.api.auth"):
        client = make_api().client
    assert "serving WITHOUT API keys" in caplog.text
    assert client.get("/v1/merchants").json()["total"] == 3  # every tenant's merchants
    for route in ROUTES:  # keyless is admin: every route
        assert _call(client, route).status_code == route.ok, route


def test_the_first_key_turns_enforcement_on_without_a_restart(
    make_api: MakeApi, keys: KeyStore
) -> None:
    client = make_api().client
    assert client.get("/v1/merchants").status_code == 200
    _, key = keys.create("acme", Role.marketing)
    _assert_401(client.get("/v1/merchants"))
    assert client.get("/v1/merchants", headers=auth(key)).status_code == 200


def test_a_key_sent_in_keyless_mode_is_still_checked(make_api: MakeApi) -> None:
    _assert_401(make_api().client.get("/v1/merchants", headers=auth("og_nope")))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"profile": "prod"}, "profile 'prod' requires an active API key"),
        ({"host": "0.0.0.0"}, "non-loopback host 0.0.0.0"),
    ],
)
def test_refuses_to_start_without_an_active_key(
    make_api: MakeApi, keys: KeyStore, settings: dict[str, Any], message: str
) -> None:
    revoked, _ = keys.create("acme", Role.admin)
    keys.revoke(revoked.id)  # a revoked key does not count
    with pytest.raises(ConfigError, match=message) as exc:
        make_api(**settings)
    assert "offergen keys create" in str(exc.value)


@pytest.mark.parametrize("settings", [{"profile": "prod"}, {"host": "0.0.0.0"}])
def test_starts_with_an_active_key_and_enforces_it(
    make_api: MakeApi, keys: KeyStore, settings: dict[str, Any]
) -> None:
    info, key = keys.create("acme", Role.marketing)
    client = make_api(**settings).client
    assert client.get("/v1/merchants", headers=auth(key)).status_code == 200
    keys.revoke(info.id)
    # with every key revoked, only dev on loopback would fall back to keyless: not these
    _assert_401(client.get("/v1/merchants"))
