"""Every role's pages under the Content-Security-Policy in Chromium: no violation (issue 11 §4).

Each demo login opens the home page and every page its navigation offers (the admin's index and
a list, a form and a history page for those who work there, Swagger UI for the API's readers);
a listener installed before any page script collects `securitypolicyviolation` events, and the
console is watched for the browser's own CSP refusals.
"""

import pytest
from django.core.management import call_command

from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, requires_chromium]

LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""
EXTRA = {
    "manager": [
        "/admin/campaigns/campaign/",
        "/admin/campaigns/campaign/{campaign}/change/",
        "/admin/campaigns/campaign/{campaign}/history/",
        "/admin/campaigns/connectionorder/",
        "/admin/rewards/campaignmonth/",
        "/api/docs/",
    ],
    "supervisor": ["/admin/campaigns/campaign/"],
    "agent": ["/accounts/352011070411/", "/kb/?q=дорого", "/orders/new/?account=352011070411"],
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--quiet")


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("manager", "demo-manager-1"),
        ("supervisor", "demo-supervisor-1"),
        ("agent", "demo-agent-1"),
    ],
)
def test_no_page_of_any_role_breaks_the_policy(browser_context, demo, username, password):
    page = browser_context.new_page()
    page.add_init_script(LISTENER)
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, username, password)
    links = page.eval_on_selector_all(
        "a.tile, nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    # Ids as the database gave them (PostgreSQL's sequences do not restart between tests).
    from campaigns.models import Campaign

    campaign = Campaign.objects.order_by("pk").values_list("pk", flat=True).first()
    extra = [url.format(campaign=campaign) for url in EXTRA[username]]
    pages = ["/", *dict.fromkeys(links), *extra]
    assert len(pages) > 2
    violations = {}
    for url in pages:
        response = page.goto(url)
        assert response.ok, (url, response.status)
        assert "content-security-policy" in response.headers, url
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp")
        if found:
            violations[url] = found
    assert not violations, violations
    assert not refused, refused
