"""Shared pieces of the browser tests: the API app served by uvicorn on a free loopback port
(in a thread of the test process), Debian's Chromium driven by Playwright, sign-in, screenshots
and the axe-core check."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "var" / "test-artifacts" / "console"
AXE = Path(__file__).parent / "assets" / "axe.min.js"


@dataclass
class Watch:
    """What a page tried to run: dialogs opened and console messages."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (Debian's; never downloaded). Not per session:
    Playwright's sync API keeps an event loop running on the main thread while it is open, and
    later tests that call asyncio.run() would fail."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():  # a missing browser fails the tests; it never skips them
        pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh browser context (no cookies) and its page, with what the page tried to run."""
    context = browser.new_context()
    pg = context.new_page()
    watch = Watch()

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: watch.console.append(f"{m.type}: {m.text}"))
    yield pg, watch
    context.close()


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """`app` on http://127.0.0.1:<port> until the block ends (its lifespan runs too)."""
    port = free_port()
    server = uvicorn.Server(
        # log_config/log_level None: uvicorn leaves the process's logging alone (a level it set
        # on its loggers would outlive this server and change later tests' logging)
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, log_level=None, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="console-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def sign_in(page: Any, base: str, key: str) -> None:
    page.goto(f"{base}/console/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/console/overview")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page (needs a context that bypasses the
    CSP: axe is injected as an inline script)."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
