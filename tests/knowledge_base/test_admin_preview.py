"""The article page in the admin: the Markdown preview follows the typing, and the owner is
chosen among marketing managers by name."""

import pytest
from django.urls import reverse

from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_preview_renders_the_markdown_being_typed(client, manager):
    client.force_login(manager)
    url = reverse("admin:knowledge_base_article_preview")
    html = client.post(url, {"body": "## Скрипт\n\n**Клиент согласен**"}).json()["html"]
    assert "<h2" in html and "<strong>Клиент согласен</strong>" in html
    assert client.get(url).status_code == 405


def test_the_preview_needs_a_role_that_sees_articles(client):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("admin:knowledge_base_article_preview")
    assert client.post(url, {"body": "x"}).status_code == 403


def test_article_owners_are_managers_by_name(client, manager):
    manager.first_name, manager.last_name = "Ольга", "Смирнова"
    manager.save()
    UserFactory(username="agent-login")
    client.force_login(manager)
    form = client.get(reverse("admin:knowledge_base_article_add")).context["adminform"].form
    assert [label for _value, label in form.fields["owner"].choices][1:] == ["Смирнова Ольга"]


def test_an_objection_takes_steps_for_a_service_or_an_offer_in_the_admin(client, manager):
    from knowledge_base.models import VzorStep
    from tests.knowledge_base.factories import ObjectionStepFactory, ObjectionTypeFactory
    from tests.offers.factories import OfferFactory

    objection = ObjectionTypeFactory(code="expensive", name="дорого")
    for step in VzorStep.values:
        ObjectionStepFactory(objection=objection, step=step, phrase=f"общий {step}")
    offer = OfferFactory(name="Антивирус")
    ObjectionStepFactory(objection=objection, step=VzorStep.ANSWER, offer=offer, phrase="о защите")
    client.force_login(manager)
    page = client.get(reverse("admin:knowledge_base_objectiontype_change", args=[objection.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "о защите" in html and 'name="steps-4-offer"' in html
    listing = client.get(reverse("admin:knowledge_base_objectiontype_changelist")).content.decode()
    assert "4 / 4" in listing
