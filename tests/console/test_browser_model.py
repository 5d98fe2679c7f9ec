"""The playground in a real browser with the real model (the session's one vLLM server, through
`real_context`): render a request, then generate it on two templates side by side with one seed,
then open that request again from its audit trace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from offergen.api.app import create_app
from offergen.app_context import AppContext, assemble
from tests.console.browser import Watch, serve, shot

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real_site(real_context: AppContext) -> Iterator[str]:
    # The same pipeline (and vLLM server) as the session's; assembled without starting anything
    # beside the API. Keyless dev mode: no key is written to the shared database.
    ctx = assemble(real_context.settings, real_context.pipeline)
    if ctx.keys.active_count():
        pytest.skip("the prepared database holds API keys; keyless sign-in is not possible")
    with serve(create_app(ctx)) as base:
        yield base


def test_render_and_generate_with_the_real_model(real_site: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto(f"{real_site}/console/")
    pg.get_by_role("button", name="Sign in").click()  # keyless dev mode: an empty key
    pg.wait_for_url(f"{real_site}/console/overview")
    pg.get_by_role("navigation", name="Main").get_by_role("link", name="Playground").click()
    pg.get_by_label("Merchant").select_option("m_freshmart")
    pg.get_by_label("Template", exact=True).select_option("offer_copy")
    pg.get_by_label("Samples (n)").fill("2")
    pg.get_by_label("Seed (blank: random)").fill("7")
    pg.get_by_label("Segment").fill("young professionals")
    pg.get_by_role("button", name="Render").click()
    rendered = pg.get_by_test_id("rendered")
    expect(rendered.locator("pre.prompt")).to_contain_text("FreshMart")
    expect(rendered.locator(".tokens")).to_contain_text("tokens")
    expect(rendered.locator(".tokens")).not_to_contain_text("estimated")  # the real tokenizer
    shot(pg, "12-playground-render-real")

    pg.get_by_label("Compare with template").select_option("offer_copy_free")
    pg.set_default_timeout(300_000)  # two generations on a shared 2-core CPU
    pg.get_by_role("button", name="Generate").click()
    pg.set_default_timeout(30_000)
    generated = pg.get_by_test_id("generated")
    expect(generated.locator("section")).to_have_count(2)
    for side in (generated.locator("section").nth(0), generated.locator("section").nth(1)):
        expect(side).to_contain_text("seed 7")
        assert side.locator(".sample").count() >= 1
        assert side.locator(".sample .badge").first.inner_text() in ("released", "held")
    shot(pg, "13-playground-generate-real")

    generated.locator("a[href^='/console/audit/']").first.click()
    pg.get_by_role("link", name="Open this request in the Playground").click()
    expect(pg.get_by_label("Segment")).to_have_value("young professionals")
    expect(pg.get_by_label("Merchant")).to_have_value("m_freshmart")
    assert watch.dialogs == []
