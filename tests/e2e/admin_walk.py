"""Walk every admin page a user can reach, as that user, in Chromium.

For each page: the console errors and uncaught exceptions, and the Russian that reads wrong (see
`tests.e2e.russian.wrong_russian`). The walk follows the sidebar and "All applications" to every
changelist, and from each changelist its add form, the first object's change form, history,
history version and delete confirmation, and the list's own actions (import, export, …).

Used by the admin journeys (tests/e2e/test_admin_walk.py) and by hand against a running portal:

    .venv/bin/python -m tests.e2e.admin_walk http://127.0.0.1:8000 manager demo-manager-1
"""

import re
import sys
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse, urlsplit

from tests.e2e.russian import wrong_russian

CHANGELIST = re.compile(r"^/admin/[a-z_]+/[a-z_]+/$")
CHANGE = re.compile(r"^/admin/[a-z_]+/[a-z_]+/[^/]+/change/$")
# Pages the walk never opens: they log out, change the language or stream a file.
SKIP = re.compile(r"/logout/|/i18n/|/jsi18n/|\.(csv|xlsx)$|/password/$|/export/\?|/download")


@dataclass
class PageReport:
    url: str
    errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    overflow: int = 0  # pixels past the screen's width (lists only)


@dataclass
class WalkReport:
    pages: list[PageReport] = field(default_factory=list)

    @property
    def with_errors(self):
        return [page for page in self.pages if page.errors]

    @property
    def too_wide(self):
        return [page for page in self.pages if page.overflow > 0]

    @property
    def with_wrong_russian(self):
        return [page for page in self.pages if page.wrong]

    def summary(self) -> str:
        lines = [
            f"{len(self.pages)} pages, {len(self.with_errors)} with console errors, "
            f"{len(self.with_wrong_russian)} with wrong Russian, "
            f"{len(self.too_wide)} lists wider than the screen"
        ]
        for page in self.pages:
            for error in page.errors:
                lines.append(f"  JS   {page.url}: {error[:200]}")
            for wrong in page.wrong:
                lines.append(f"  RU   {page.url}: {wrong}")
            if page.overflow:
                lines.append(f"  WIDE {page.url}: {page.overflow} px too wide")
        return "\n".join(lines)


def watch(page):
    """Collect the page's console errors and uncaught exceptions into a list, returned."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return errors


def page_text(page) -> str:
    """What the page says: its text, plus the labels of selects and buttons a user reads."""
    return page.evaluate(
        """() => [document.title, document.body.innerText,
            ...[...document.querySelectorAll('option, input[type=submit], button')]
                .map(e => e.textContent || e.value)].join('\\n')"""
    )


def open_page(page, errors, url, report: WalkReport) -> PageReport:
    errors.clear()
    page.goto(url)
    page.wait_for_load_state("load")
    path = urlparse(page.url).path + (
        f"?{urlparse(page.url).query}" if urlparse(page.url).query else ""
    )
    result = PageReport(path, errors=list(errors), wrong=wrong_russian(page_text(page)))
    report.pages.append(result)
    return result


# How many pixels the widest thing on the page reaches past its box: the page itself or any
# scrolling box inside it (a list's table), measured as scrollWidth against clientWidth.
OVERFLOW_JS = """() => Math.max(0, ...[document.documentElement, ...document.querySelectorAll('*')]
    .filter(e => e === document.documentElement || ['auto', 'scroll'].includes(
        getComputedStyle(e).overflowX))
    .map(e => e.scrollWidth - e.clientWidth))"""

SAMPLE_FILE = {"name": "list.csv", "mimeType": "text/csv", "buffer": b"account;campaign\n"}


def choose_a_file(page, errors, visited: PageReport):
    """Pick a file in each file input of the page, as a manager importing a list does."""
    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        errors.clear()
        inputs.nth(index).set_input_files(SAMPLE_FILE)
        page.wait_for_timeout(100)
        visited.errors += errors


def links(page, pattern):
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    seen = []
    for href in hrefs:
        path = urlparse(urljoin(page.url, href)).path
        if pattern.match(path) and path not in seen and not SKIP.search(path):
            seen.append(path)
    return seen


def changelists(page, base) -> list[str]:
    page.goto(f"{base}/admin/")
    return links(page, CHANGELIST)


def walk_changelist(page, errors, base, path, report):
    listed = open_page(page, errors, base + path, report)
    listed.overflow = page.evaluate(OVERFLOW_JS)
    list_page_links = page.eval_on_selector_all(
        "a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    extra = []
    for href in list_page_links:
        target = urlparse(urljoin(page.url, href))
        if (
            target.path.startswith(path)
            and target.path != path
            and not CHANGE.match(target.path)
            and not SKIP.search(target.path + ("?" + target.query if target.query else ""))
            and target.path not in extra
        ):
            extra.append(target.path)
    objects = [p for p in links(page, CHANGE) if p.startswith(path)]
    for sub in extra:
        visited = open_page(page, errors, base + sub, report)
        choose_a_file(page, errors, visited)
    if not objects:
        return
    change = objects[0]
    open_page(page, errors, base + change, report)
    offered = [
        urlparse(urljoin(page.url, href)).path
        for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
    ]
    for suffix in ("history/", "delete/"):
        url = change.removesuffix("change/") + suffix
        if url not in offered:
            continue
        visited = open_page(page, errors, base + url, report)
        if suffix == "history/" and not visited.errors:
            versions = [
                p
                for p in links(page, re.compile(r"^/admin/.+/history/\d+/$"))
                if p.startswith(change.removesuffix("change/"))
            ]
            if versions:
                open_page(page, errors, base + versions[0], report)


def walk(page, base) -> WalkReport:
    """Every admin page the logged-in user reaches from the admin's index."""
    report = WalkReport()
    errors = watch(page)
    open_page(page, errors, f"{base}/admin/", report)
    for path in changelists(page, base):
        walk_changelist(page, errors, base, path, report)
    return report


def log_in(page, base, username, password):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # Not a glob: "**/admin/" also matches the login page's own "?next=/admin/".
    page.wait_for_url(lambda address: urlsplit(address).path == "/admin/")


def main(argv):
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    base, username, password = argv
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        log_in(page, base, username, password)
        report = walk(page, base)
        browser.close()
    print(report.summary())


if __name__ == "__main__":
    main(sys.argv[1:])
