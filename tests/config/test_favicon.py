"""Every page names an icon, and /favicon.ico (asked for where none is named) leads to it: no 404
in the browser's console."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("portal/favicon.svg")


def test_admin_and_pages_name_the_icon(client, manager):
    client.force_login(manager)
    for url in (reverse("admin:index"), "/login/"):
        assert 'rel="icon"' in client.get(url, follow=True).content.decode(), url
