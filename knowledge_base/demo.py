"""The knowledge base (R13, R15, R4, R16): categories, the four «Допродажи» articles, bridges,
objections and closing phrases, loaded by the knowledge-base app's own seed."""

from django.contrib.auth import get_user_model
from django.db import transaction

from config.floor.seeding import SeedContext
from knowledge_base.seed import seed_knowledge_base

User = get_user_model()
OWNER = "manager"


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    loaded = seed_knowledge_base(owner=User.objects.get(username=OWNER), stdout=ctx.stdout)
    return {name: len(objects) for name, objects in loaded.items()}
