"""Debian's headless Chromium via Playwright, launched once, and pages that record what they fetch.

`browser_page(server, ...)` opens a page in a fresh context; the page keeps the URLs it requested
from outside `server` (beyond ``data:``/``about:`` and `also_allowed`) in `outside_requests` and
its script errors in `page_errors`, for the tests (or their module's fixture) to assert on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# module scope: Playwright's sync API keeps an event loop running in the main thread while it is
# open, which would break every later test that calls asyncio.run()
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def browser_page(chromium) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    contexts: list[object] = []

    def open_page(server: str, *, timeout_ms: int, also_allowed: tuple[str, ...] = (), **context_options):  # type: ignore[no-untyped-def]
        context = chromium.new_context(**context_options)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(timeout_ms)
        inside = (server, "data:", "about:", *also_allowed)
        outside: list[str] = []
        errors: list[str] = []
        pg.on("request", lambda req: outside.append(req.url) if not req.url.startswith(inside) else None)
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.outside_requests = outside
        pg.page_errors = errors
        return pg

    yield open_page
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
