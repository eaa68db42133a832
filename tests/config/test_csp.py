"""The Content-Security-Policy header (issue 11 §4); tests/e2e/test_csp.py runs it in Chromium."""

import pytest

pytestmark = pytest.mark.django_db


def _policy(response):
    return {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split("; ")
    }


def test_pages_run_only_their_own_scripts(client, agent):
    client.force_login(agent)

    policy = _policy(client.get("/"))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_the_admin_allows_what_its_theme_needs_and_no_more(client, manager):
    client.force_login(manager)

    policy = _policy(client.get("/admin/"))

    assert policy["script-src"] == ["'self'", "'unsafe-eval'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize("path", ["/login/", "/api/v1/offers/", "/api/docs/", "/healthz"])
def test_every_response_carries_the_policy(client, path):
    assert "Content-Security-Policy" in client.get(path)


def test_swagger_ui_loads_its_start_up_script_as_a_file(client):
    html = client.get("/api/docs/").content.decode()

    assert "<script>" not in html
    assert "?script" in html
