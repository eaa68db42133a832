"""The portal shell: login and logout, lockout, session timeout, navigation, language, errors."""

import datetime
import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from config import navigation, views
from config.floor import roles
from config.navigation import NavEntry, navigation_for
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-12345"
LOGIN_URL = "/login/"


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def nav_urls(response):
    return [item["url"] for item in response.context["nav_items"]]


# Login and logout


def test_login_page_is_served_in_russian_by_default(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/"


def test_login_with_the_right_password_opens_the_home_page(client, agent):
    response = login(client, "agent")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_login_follows_next(client, manager):
    response = client.post(
        LOGIN_URL, {"username": "manager", "password": PASSWORD, "next": "/admin/"}
    )

    assert response["Location"] == "/admin/"


def test_wrong_password_shows_the_error_and_keeps_the_username(client, agent):
    response = login(client, "agent", "wrong-password")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'value="agent"' in content
    assert "_auth_user_id" not in client.session


def test_logged_in_user_skips_the_login_page(client, agent):
    client.force_login(agent)

    assert client.get(LOGIN_URL)["Location"] == reverse("home")


def test_logout_ends_the_session(client, agent):
    client.force_login(agent)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_logout_needs_a_post(client, agent):
    client.force_login(agent)

    assert client.get("/logout/").status_code == 405


# Lockout (django-axes; the test settings lock after 3 failures)


def test_repeated_failures_lock_the_login_out(client, agent):
    assert settings.AXES_FAILURE_LIMIT == 3
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "agent", "wrong").status_code == 200

    locked = login(client, "agent", "wrong")

    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert str(views.ERR_LOCKED_OUT % {"minutes": views._minutes(settings.AXES_COOLOFF_TIME)}) in (
        locked.content.decode()
    )
    assert AccessAttempt.objects.get(username="agent").failures_since_start == 3


def test_locked_out_login_refuses_even_the_right_password(client, agent):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "agent", "wrong")

    response = login(client, "agent")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, agent):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "agent", "wrong")

    assert login(client, "agent").status_code == 302
    client.post("/logout/")
    assert login(client, "agent", "wrong").status_code == 200


def test_lockout_applies_to_the_api_token_endpoint(api_client, crm_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = api_client.post("/api/v1/auth/token/", {"username": "crm", "password": "x"})
        assert response.status_code == 400

    locked = api_client.post("/api/v1/auth/token/", {"username": "crm", "password": "x"})
    after = api_client.post("/api/v1/auth/token/", {"username": "crm", "password": PASSWORD})

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert after.status_code == 429
    assert "token" not in after.json()


def test_locked_out_message_reads_in_minutes():
    with translation.override("en"):
        assert views._minutes(datetime.timedelta(minutes=15)) == "15 minutes"
        assert views._minutes(datetime.timedelta(seconds=20)) == "1 minute"
    with translation.override("ru"):
        assert views._minutes(datetime.timedelta(minutes=15)) == "15 минут"
        assert views._minutes(datetime.timedelta(minutes=2)) == "2 минуты"
        assert views._minutes(datetime.timedelta(seconds=20)) == "1 минуту"


# Session timeout


def test_sessions_time_out_after_inactivity():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_every_request_pushes_the_expiry_forward(client, agent):
    client.force_login(agent)
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=1)
    session.save()

    assert client.get("/").status_code == 200

    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_expired_session_redirects_to_the_login_page(client, agent):
    client.force_login(agent)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# Navigation by role


def test_agent_does_not_see_administration(client, agent):
    client.force_login(agent)

    response = client.get("/")

    assert reverse("admin:index") not in nav_urls(response)
    assert reverse("api-docs") not in nav_urls(response)


def test_manager_sees_administration_and_the_api(client, manager):
    client.force_login(manager)

    response = client.get("/")

    assert reverse("admin:index") in nav_urls(response)
    assert reverse("api-docs") in nav_urls(response)
    assert f'href="{reverse("admin:index")}"' in response.content.decode()


def test_supervisor_sees_administration_but_not_the_api(client, supervisor):
    client.force_login(supervisor)

    response = client.get("/")

    assert reverse("admin:index") in nav_urls(response)
    assert reverse("api-docs") not in nav_urls(response)


def test_crm_integration_opens_no_page(client, crm_user):
    """A service login is API-only (issue 11 §3; tests/config/test_enumeration.py)."""
    client.force_login(crm_user)

    response = client.get("/")

    assert response.status_code == 403


def test_a_user_without_a_role_sees_no_entries(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    assert nav_urls(response) == []
    assert response.context["has_role"] is False


def test_superuser_counts_as_a_manager(db):
    user = UserFactory(is_superuser=True)

    assert roles.MANAGERS in roles.user_roles(user)
    assert reverse("admin:index") in [item["url"] for item in navigation_for(user)]


def test_entries_whose_page_does_not_exist_are_left_out(monkeypatch, agent):
    monkeypatch.setattr(
        navigation,
        "NAVIGATION",
        [
            NavEntry("no-such-page", "Missing", frozenset({roles.AGENTS})),
            NavEntry("home", "Home", frozenset({roles.AGENTS})),
            NavEntry("admin:index", "Admin", frozenset({roles.MANAGERS})),
        ],
    )

    items = navigation_for(agent)

    assert [item["url"] for item in items] == [reverse("home")]


def test_the_current_page_is_marked_active(manager):
    items = {item["url"]: item for item in navigation_for(manager, "/admin/offers/")}

    assert items[reverse("admin:index")]["active"] is True
    assert items[reverse("api-docs")]["active"] is False


def test_every_navigation_entry_names_a_known_role():
    for entry in navigation.NAVIGATION:
        assert entry.roles
        assert entry.roles <= set(roles.ROLE_LABELS)


# The home page of each role


@pytest.mark.parametrize("fixture", ["manager", "supervisor", "agent"])
def test_home_page_greets_each_role(client, request, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    assert "portal/home.html" in [t.name for t in response.templates]
    assert response.context["has_role"] is True
    label = next(iter(response.context["user_role_labels"]))
    assert str(label) in response.content.decode()
    for item in response.context["entries"]:
        assert f'class="tile" href="{item["url"]}"' in response.content.decode()


# Language


def test_russian_is_the_default_language(client, agent):
    client.force_login(agent)

    response = client.get("/")

    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_language_switch_turns_the_ui_english(client, agent):
    client.force_login(agent)

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")

    assert switched.status_code == 302
    assert switched["Location"] == "/"
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Log out" in response.content.decode()


def test_language_switch_works_on_the_login_page(client):
    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})

    response = client.get(LOGIN_URL)

    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_the_page_offers_both_languages(client, agent):
    client.force_login(agent)

    content = client.get("/").content.decode()

    assert 'name="language" value="ru"' in content
    assert 'name="language" value="en"' in content


# Error pages


def test_unknown_page_is_the_portals_404(client, agent):
    client.force_login(agent)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    assert '<html lang="ru">' in response.content.decode()


def test_server_error_page_needs_no_context():
    request = RequestFactory().get("/")

    response = views.server_error(request)

    assert response.status_code == 500
    assert b'<html lang="ru">' in response.content


def test_server_error_under_the_api_is_the_error_body():
    request = RequestFactory().get("/api/v1/offers/")

    response = views.server_error(request)

    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_agents_home_opens_an_account_by_number(client, agent):
    client.force_login(agent)
    html = client.get("/").content.decode()
    assert 'action="/accounts/"' in html and 'name="q"' in html


def test_managers_home_has_no_account_search(client, manager):
    client.force_login(manager)
    assert 'action="/accounts/"' not in client.get("/").content.decode()
