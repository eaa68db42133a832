"""The article ↔ campaign link moves to the campaigns side (Campaign.articles, campaigns 0007):
the knowledge base knows no campaigns. Only the models' state changes; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0006_title_vector_gin")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="article", name="campaigns")],
            database_operations=[],
        )
    ]
