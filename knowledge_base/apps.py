from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

# pg_trgm's default (0.6) misses one-letter typos in short words: «дорага» is 0.43 from «дорого».
WORD_SIMILARITY_THRESHOLD = "0.4"


def _tune_trigram(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [WORD_SIMILARITY_THRESHOLD],
            )


class KnowledgeBaseConfig(AppConfig):
    name = "knowledge_base"
    verbose_name = _("Knowledge base")

    def ready(self):
        connection_created.connect(_tune_trigram, dispatch_uid="kb_tune_trigram")
