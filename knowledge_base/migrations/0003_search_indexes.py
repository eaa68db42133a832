"""PostgreSQL search: pg_trgm, a GIN index on the stored search vector, GIN trigram indexes on
title and body. SQLite has none of these and searches the text itself (see knowledge_base.search)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    (
        "kb_article_search_gin",
        "CREATE INDEX IF NOT EXISTS kb_article_search_gin ON knowledge_base_article "
        "USING gin (search_vector)",
    ),
    (
        "kb_article_title_trgm",
        "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON knowledge_base_article "
        "USING gin (title gin_trgm_ops)",
    ),
    (
        "kb_article_body_trgm",
        "CREATE INDEX IF NOT EXISTS kb_article_body_trgm ON knowledge_base_article "
        "USING gin (body gin_trgm_ops)",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute("DROP INDEX IF EXISTS %s" % name)


def fill_vectors(apps, schema_editor):
    from knowledge_base.services import article_search_vector

    if schema_editor.connection.vendor != "postgresql":
        return
    apps.get_model("knowledge_base", "Article").objects.update(search_vector=article_search_vector())


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0002_bridges_objections_feedback")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
