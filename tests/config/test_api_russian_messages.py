"""DRF's own messages whose Russian catalogue keeps an English word («Ожидался dictionary») are
worded in Russian by the portal catalogue (config/locale, consulted first)."""

import re

import pytest
from django.utils import translation

from tests.campaigns.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db

# The messages the portal words anew, with a fragment of their Russian.
OVERRIDDEN = {
    "Invalid data. Expected a dictionary, but got {datatype}.": "ожидался объект JSON",
    'Expected a list of items but got type "{input_type}".': "Ожидался список значений",
    "Date has wrong format. Use one of these formats instead: {format}.": "Дата в неверном",
    "Datetime has wrong format. Use one of these formats instead: {format}.": "Дата и время",
    "Expected a date but got a datetime.": "Ожидалась дата",
    "Expected a datetime but got a date.": "Ожидались дата и время",
    "This field may not be null.": "не может быть пустым",
    "Value must be valid JSON.": "корректным JSON",
    "Could not satisfy the request Accept header.": "заголовком Accept",
    'Must include "username" and "password".': "Укажите имя пользователя",
    "Invalid version in URL path. Does not match any version namespace.": "такой версии API нет",
}


def _latin_words(text):
    """English words left in a Russian sentence, placeholders and quoted names aside."""
    bare = re.sub(r"\{[^}]*\}|\([^)]*\)|Accept|JSON|URL|API", "", text)
    return re.findall(r"[A-Za-z]{3,}", bare)


@pytest.mark.parametrize("message", sorted(OVERRIDDEN))
def test_each_message_reads_in_russian(message):
    with translation.override("ru"):
        russian = translation.gettext(message)
    assert OVERRIDDEN[message] in russian
    assert _latin_words(russian) == []
    with translation.override("en"):
        assert translation.gettext(message) == message


def test_a_list_where_an_object_is_expected_is_refused_in_russian(api_client):
    api_client.force_authenticate(AgentProfileFactory().user)
    response = api_client.generic(
        "POST", "/api/v1/appeals/", "[]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"]
    text = str(body)
    assert "ожидался объект JSON, а получен list" in text
    assert "dictionary" not in text
