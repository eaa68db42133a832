"""Campaign.articles: the link knowledge_base 0007 gave up, on the table it had
(knowledge_base_article_campaigns, columns article_id and campaign_id), so its rows are kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_order_previous_tariff"),
        ("knowledge_base", "0007_article_campaigns_to_campaigns"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="campaign",
                    name="articles",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="knowledge_base_article_campaigns",
                        related_name="campaigns",
                        to="knowledge_base.article",
                        verbose_name="knowledge-base articles",
                    ),
                )
            ],
            database_operations=[],
        )
    ]
