"""The typo-correction word list on every database (it was PostgreSQL's only), with the words of
bridges, objections and closing phrases too: the unified search corrects them all the same way."""

from django.db import migrations


def fill(apps, schema_editor):
    from knowledge_base.search.lexicon import lexicon_words

    texts = []
    Article = apps.get_model("knowledge_base", "Article")
    texts += [f"{t} {b}" for t, b in Article.objects.values_list("title", "body").iterator()]
    Bridge = apps.get_model("knowledge_base", "Bridge")
    texts += [" ".join(r) for r in Bridge.objects.values_list("trigger", "phrase", "keywords")]
    ObjectionType = apps.get_model("knowledge_base", "ObjectionType")
    texts += [" ".join(r) for r in ObjectionType.objects.values_list("name", "description")]
    ObjectionStep = apps.get_model("knowledge_base", "ObjectionStep")
    texts += list(ObjectionStep.objects.values_list("phrase", flat=True))
    StockAnswer = apps.get_model("knowledge_base", "StockAnswer")
    texts += [" ".join(r) for r in StockAnswer.objects.values_list("customer_says", "answer")]
    ClosingPhrase = apps.get_model("knowledge_base", "ClosingPhrase")
    texts += list(ClosingPhrase.objects.values_list("text", flat=True))
    words = set()
    for text in texts:
        words.update(lexicon_words(text))
    SearchWord = apps.get_model("knowledge_base", "SearchWord")
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0007_article_campaigns_to_campaigns")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
