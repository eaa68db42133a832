"""Shared set-up for the browser journeys: Debian's Chromium driven by Playwright."""

import os
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are set-up.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_context(live_server):
    """A fresh Chromium context on the live server, Russian locale; closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="ru-RU")
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def log_in(page, username, password, next_url="/"):
    page.goto(f"/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    wait_for_page(page, next_url)


def wait_for_page(page, url):
    """Wait until the page is at `url` (path and query), not merely at an address ending with it.

    A glob like ``**/kb/`` also matches ``/login/?next=/kb/``: a failed login would pass it.
    """
    wanted = urlsplit(url)

    def arrived(address):
        here = urlsplit(address)
        return here.path == wanted.path and (not wanted.query or here.query == wanted.query)

    page.wait_for_url(arrived)
