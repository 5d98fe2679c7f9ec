"""The console in a real browser (Debian's Chromium, headless, driven by Playwright): sign in
and out, approve and reject, role denial, another tenant's item, CSRF rejection, untrusted text
that tries to run script, an eval run started from the page, accessibility (axe-core). One
server and one browser for the module; screenshots go to var/test-artifacts/console/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from offergen.api.app import create_app
from offergen.api.principal import Role
from offergen.app_context import AppContext, assemble
from offergen.config import Settings
from offergen.store.database import Database
from offergen.store.keys import KeyStore
from offergen.store.knowledge_base import KnowledgeBase
from tests.console.browser import Watch, axe_violations, serve, shot, sign_in
from tests.store.audit_records import NUMBERS, held
from tests.support.doubles import ScriptedBackend
from tests.support.pipelines import build_pipeline

XSS = '<script>window.pwned=1;alert(1)</script><img src=x onerror="window.pwned=2;alert(2)">'
XSS_DRAFT = f"Get 10% cashback at FreshMart {XSS}. Terms apply."


@dataclass
class Site:
    base: str
    ctx: AppContext
    keys: dict[tuple[Role, str], str]


@pytest.fixture(scope="module")
def site(
    small_kb: tuple[KnowledgeBase, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    src, index_dir = small_kb
    tmp = tmp_path_factory.mktemp("console-browser")
    kb = KnowledgeBase(Database(f"sqlite:///{tmp / 'kb.db'}"))
    kb.create_schema()
    merchants = src.merchants()
    kb.upsert(merchants, [r for m in merchants for r in src.rules(m.id)], src.past_offers())
    backend = ScriptedBackend([XSS_DRAFT] * 40)
    pipeline = build_pipeline(kb, index_dir, backend)
    url = kb.db.engine.url.render_as_string(hide_password=False)
    ctx = assemble(Settings(data_dir=tmp, database_url=url), pipeline)
    store = KeyStore(kb.db)
    keys = {(r, t): store.create(t, r)[1] for r in Role for t in ("acme", "globex")}
    with serve(create_app(ctx)) as base:
        yield Site(base, ctx, keys)


def _queue(site: Site, tenant: str, n: int, **over: Any) -> list[int]:
    import uuid

    rid = f"b{uuid.uuid4().hex[:12]}"
    site.ctx.audit.append([held(rid, i, tenant=tenant, **over) for i in range(n)])
    pending = site.ctx.reviews.pending(tenant, limit=500).items
    return [i.id for i in pending if i.record.request_id == rid]


def test_sign_in_and_out(site: Site, page: tuple[Page, Watch]) -> None:
    pg, _ = page
    pg.goto(f"{site.base}/console/")
    shot(pg, "01-sign-in")
    key = site.keys[Role.reviewer, "acme"]
    sign_in(pg, site.base, key)
    nav = pg.get_by_role("navigation", name="Main")
    for name in ("Overview", "Reviews", "Playground", "Evals", "Audit"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    assert key not in pg.content() and key not in pg.url
    cookie = next(c for c in pg.context.cookies() if c["name"] == "og_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert pg.evaluate("document.cookie").find("og_console") < 0  # HttpOnly: scripts see none
    shot(pg, "02-overview")
    pg.get_by_role("button", name="Sign out").click()
    pg.wait_for_url(f"{site.base}/console/")
    pg.goto(f"{site.base}/console/reviews")
    expect(pg.get_by_label("API key")).to_be_visible()  # back at the sign-in form


def test_reviewer_approves_and_rejects_and_sees_the_409(
    site: Site, page: tuple[Page, Watch], browser: Browser
) -> None:
    pg, _ = page
    first, second = _queue(site, "acme", 2, findings=[NUMBERS])
    sign_in(pg, site.base, site.keys[Role.reviewer, "acme"])
    pg.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    shot(pg, "03-reviews-queue")
    pg.goto(f"{site.base}/console/reviews/{first}")
    expect(pg.locator("mark.sev-block").first).to_be_visible()
    shot(pg, "04-review-item")
    # a second tab holds the same item open: its decision comes second
    stale = pg.context.new_page()
    stale.goto(f"{site.base}/console/reviews/{first}")
    pg.keyboard.press("a")  # approve, with the default reason code
    expect(pg.get_by_role("status")).to_contain_text("approved at")
    pg.keyboard.press("j")  # next pending item
    pg.wait_for_url(f"{site.base}/console/reviews/{second}")
    pg.get_by_label("Reason code").nth(1).select_option("wrong_terms")
    pg.get_by_label("Note").nth(1).fill("the cap is missing")
    pg.get_by_role("button", name="Reject").click()
    expect(pg.get_by_role("status")).to_contain_text("rejected at")
    expect(pg.get_by_role("status")).to_contain_text("wrong_terms: the cap is missing")
    stale.get_by_role("button", name="Reject").click()
    expect(stale.get_by_role("alert")).to_contain_text("409")
    expect(stale.get_by_role("alert")).to_contain_text("already decided (approve)")
    shot(stale, "05-review-409")
    stale.close()


def test_role_denial_and_another_tenants_item(site: Site, page: tuple[Page, Watch]) -> None:
    pg, _ = page
    [theirs] = _queue(site, "globex", 1)
    sign_in(pg, site.base, site.keys[Role.marketing, "acme"])
    pg.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(pg.get_by_role("alert")).to_contain_text("403")
    expect(pg.get_by_role("alert")).to_contain_text("reviewer needed")
    shot(pg, "06-role-denied")
    pg.context.clear_cookies()
    sign_in(pg, site.base, site.keys[Role.reviewer, "acme"])
    response = pg.goto(f"{site.base}/console/reviews/{theirs}")
    assert response is not None and response.status == 404
    expect(pg.get_by_role("alert")).to_contain_text("unknown review item")


def test_a_form_with_a_wrong_csrf_token_is_refused(site: Site, page: tuple[Page, Watch]) -> None:
    pg, _ = page
    [item] = _queue(site, "acme", 1)
    sign_in(pg, site.base, site.keys[Role.reviewer, "acme"])
    pg.goto(f"{site.base}/console/reviews/{item}")
    pg.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'f'.repeat(64))"
    )
    pg.get_by_role("button", name="Approve").click()
    expect(pg.get_by_role("alert")).to_contain_text("403")
    assert site.ctx.reviews.get(item, "acme").decision is None


def test_untrusted_text_never_runs(site: Site, page: tuple[Page, Watch]) -> None:
    pg, watch = page
    [item] = _queue(site, "acme", 1, text=XSS, model_text=XSS)
    sign_in(pg, site.base, site.keys[Role.admin, "acme"])
    pg.goto(f"{site.base}/console/reviews/{item}")  # held text
    expect(pg.get_by_test_id("review-text")).to_contain_text("<script>window.pwned=1")
    pg.goto(f"{site.base}/console/playground")  # generated text (the scripted model's draft)
    pg.get_by_label("Template", exact=True).select_option("offer_copy_free")
    pg.get_by_role("button", name="Generate").click()
    samples = pg.get_by_test_id("generated")
    expect(samples).to_contain_text("onerror=")
    shot(pg, "07-xss-generated")
    request_link = samples.locator("a[href^='/console/audit/']").first
    request_link.click()  # the audit trace shows the same text
    expect(pg.locator("main")).to_contain_text("<img src=x onerror=")
    for p in (pg,):
        assert p.evaluate("typeof window.pwned") == "undefined"
        assert p.locator("main script, main img").count() == 0
    assert watch.dialogs == []


def test_an_eval_run_started_from_the_page(site: Site, page: tuple[Page, Watch]) -> None:
    pg, _ = page
    sign_in(pg, site.base, site.keys[Role.admin, "acme"])
    pg.goto(f"{site.base}/console/evals")
    pg.get_by_label("Suite").select_option("guard.yaml")
    pg.get_by_label("First N cases").fill("3")
    pg.get_by_role("button", name="Start run").click()
    pg.wait_for_url("**/console/evals/runs/run-*")
    link = pg.get_by_role("link", name="Open the report")
    expect(link).to_be_visible(timeout=60_000)  # the page polls, then reloads once done
    pg.reload()  # the run's state is kept on disk: a reload shows the same
    expect(pg.get_by_role("status")).to_contain_text("done: 3 of 3 done")
    shot(pg, "08-eval-run")
    pg.get_by_role("link", name="Open the report").click()
    expect(pg.locator("body")).to_have_attribute("data-report-ready", "yes")  # its script ran
    shot(pg, "09-eval-report")
    pg.goto(f"{site.base}/console/evals")
    expect(pg.get_by_role("table")).to_contain_text("guard.yaml")
    shot(pg, "10-evals")


def test_pages_have_no_serious_accessibility_violations(site: Site, browser: Browser) -> None:
    _queue(site, "acme", 1, findings=[NUMBERS])
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    pg = context.new_page()
    try:
        pg.goto(f"{site.base}/console/")
        found = {"sign-in": axe_violations(pg)}
        sign_in(pg, site.base, site.keys[Role.admin, "acme"])
        item = site.ctx.reviews.pending("acme", limit=1).items[0].id
        for name, path in [
            ("overview", "/console/overview"),
            ("reviews", "/console/reviews"),
            ("review", f"/console/reviews/{item}"),
            ("playground", "/console/playground"),
            ("audit", "/console/audit"),
            ("evals", "/console/evals"),
        ]:
            pg.goto(f"{site.base}{path}")
            found[name] = axe_violations(pg)
            if name in ("overview", "playground", "audit"):
                shot(pg, f"11-{name}")
    finally:
        context.close()
    bad = {
        name: [f"{v['id']} ({v['impact']}): {v['help']}" for v in vs]
        for name, vs in found.items()
        if vs
    }
    assert bad == {}
