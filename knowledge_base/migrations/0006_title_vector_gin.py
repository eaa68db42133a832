"""A GIN index on the title vector: title matches are always search candidates (PostgreSQL)."""

from django.db import migrations

NAME = "kb_article_title_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON knowledge_base_article USING gin (title_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0005_lexicon_and_title_vector")]

    operations = [migrations.RunPython(create_index, drop_index)]
