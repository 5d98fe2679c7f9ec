"""Signing in and out of the console: the form's contract, the cookie, CSRF, revoked keys, and
the security headers."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from offergen.api.principal import Role
from offergen.console.pages import CSP
from offergen.store.keys import KeyStore
from tests.console.conftest import Api, csrf_of, sign_in


def test_the_sign_in_form_has_a_labelled_key_input_and_a_button(api: Api) -> None:
    r = api.client.get("/console/")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert '<label for="api_key">API key</label>' in r.text
    assert 'id="api_key" name="api_key" type="password"' in r.text
    assert '<button type="submit">Sign in</button>' in r.text
    assert "<script>" not in r.text  # only <script src=...>


def test_sign_in_sets_a_strict_http_only_expiring_cookie_without_the_key(
    api: Api, new_key: Callable[[str, Role], str]
) -> None:
    key = new_key("acme", Role.reviewer)
    client = TestClient(api.client.app)
    page = client.get("/console/")
    r = client.post(
        "/console/sign-in",
        data={"api_key": key, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/overview"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("og_console="))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=strict" in flags and "max-age=28800" in flags
    assert key not in cookie and key.split("_")[1] not in cookie
    home = client.get("/console/overview")
    assert home.status_code == 200
    for name in ("Overview", "Reviews", "Playground", "Evals", "Audit"):
        assert f">{name}</a>" in home.text
    assert key not in home.text


def test_a_wrong_key_or_a_missing_csrf_token_does_not_sign_in(api: Api) -> None:
    client = TestClient(api.client.app)
    page = client.get("/console/")
    bad = client.post(
        "/console/sign-in", data={"api_key": "og_0000000000000000_" + "x" * 43,
                                  "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert bad.status_code == 401 and "not valid" in bad.text
    assert "og_0000000000000000" not in bad.text  # the key typed is not echoed
    no_token = client.post("/console/sign-in", data={"api_key": "x"})
    assert no_token.status_code == 403
    assert client.get("/console/overview", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_for_good(api: Api, new_key: Callable[[str, Role], str]) -> None:
    client = sign_in(TestClient(api.client.app), new_key("acme", Role.reviewer))
    cookie = client.cookies.get("og_console")
    page = client.get("/console/overview")
    assert client.post("/console/sign-out", data={}).status_code == 403  # CSRF
    r = client.post(
        "/console/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    replay = TestClient(api.client.app, cookies={"og_console": cookie})
    assert replay.get("/console/overview", follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_its_sessions(
    api: Api, keys: KeyStore, new_key: Callable[[str, Role], str]
) -> None:
    key = new_key("acme", Role.reviewer)
    client = sign_in(TestClient(api.client.app), key)
    assert client.get("/console/reviews").status_code == 200
    keys.revoke(key.split("_")[1])
    r = client.get("/console/reviews", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/"


def test_console_routes_stay_out_of_the_api_schema(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


def test_static_files_are_served(api: Api) -> None:
    js = api.client.get("/console/static/console.js")
    assert js.status_code == 200 and "keydown" in js.text
    assert api.client.get("/console/static/console.css").status_code == 200
