"""The title's own search vector and the word list (lexicon) typos are corrected against."""

import re

import django.contrib.postgres.search
from django.db import migrations, models

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


INDEXES = [
    # GiST, not GIN: it answers «the nearest words first» (ORDER BY word <-> 'дорага') by itself.
    ("kb_searchword_word_trgm", "USING gist (word gist_trgm_ops)"),
    # «Is there a word starting with this stem?» (word LIKE 'дораг%'), whatever the collation.
    ("kb_searchword_word_prefix", "(word varchar_pattern_ops)"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON knowledge_base_searchword {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill(apps, schema_editor):
    """Title vectors and the word list for the articles that exist (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE knowledge_base_article SET title_vector = "
        "setweight(to_tsvector('russian', replace(replace(title, 'ё', 'е'), 'Ё', 'Е')), 'A')"
    )
    Article = apps.get_model("knowledge_base", "Article")
    SearchWord = apps.get_model("knowledge_base", "SearchWord")
    words = set()
    for title, body in Article.objects.values_list("title", "body").iterator():
        text = f"{title} {body}".replace("ё", "е").replace("Ё", "Е").lower()
        words.update(w for w in _WORD.findall(text) if 4 <= len(w) <= 100)
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge_base", "0004_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(
                        max_length=100, primary_key=True, serialize=False, verbose_name="word"
                    ),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.AddField(
            model_name="article",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
