"""The article ↔ campaign link moved to the campaigns side (knowledge_base 0007, campaigns 0007)
without touching the table: the links made before the move are the campaign's articles after."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.campaigns.factories import CampaignFactory
from tests.knowledge_base.factories import ArticleFactory

BEFORE = [("knowledge_base", "0006_title_vector_gin"), ("campaigns", "0006_order_previous_tariff")]
AFTER = [
    ("knowledge_base", "0007_article_campaigns_to_campaigns"),
    ("campaigns", "0007_campaign_articles"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """The tests after this one (transactional ones on SQLite share the schema) need every
    migration applied again, whatever came after AFTER."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_links_made_on_the_article_side_are_the_campaigns_articles_after_the_move():
    campaign, article = CampaignFactory(), ArticleFactory()
    old = _migrate(BEFORE)
    old_article = old.get_model("knowledge_base", "Article").objects.get(pk=article.pk)
    old_article.campaigns.add(campaign.pk)

    new = _migrate(AFTER)
    moved = new.get_model("campaigns", "Campaign").objects.get(pk=campaign.pk)
    assert list(moved.articles.values_list("pk", flat=True)) == [article.pk]
    reverse = new.get_model("knowledge_base", "Article").objects.get(pk=article.pk).campaigns
    assert list(reverse.values_list("pk", flat=True)) == [campaign.pk]
