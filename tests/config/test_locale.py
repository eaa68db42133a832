"""Russian by default whatever the browser asks for; English when the user switches."""

import pytest

pytestmark = pytest.mark.django_db


def test_russian_even_when_the_browser_prefers_english(client):
    response = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_the_language_switch_turns_the_portal_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.get("/login/")["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "ru", "next": "/login/"})
    assert client.get("/login/")["Content-Language"] == "ru"


def test_an_unknown_language_cookie_falls_back_to_russian(client):
    client.cookies["django_language"] = "de"
    assert client.get("/login/")["Content-Language"] == "ru"
