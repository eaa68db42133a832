"""`python manage.py seed_demo`: load the demo data (idempotent); `make run` calls it."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.demo import STEPS, SeedContext

ERR_DEMO_LOGINS_REFUSED = gettext_lazy(
    "seed_demo creates well-known demo logins and is refused under these settings "
    "(DEMO_LOGINS_ALLOWED is False, as in production). Nothing was created."
)


class Command(BaseCommand):
    help = "Load the demo catalogue, people, accounts, campaigns and knowledge base (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet=False, verbosity=1, **options):
        if not getattr(settings, "DEMO_LOGINS_ALLOWED", False):
            raise CommandError(ERR_DEMO_LOGINS_REFUSED)
        silent = quiet or verbosity == 0
        ctx = SeedContext(stdout=None if silent else self.stdout)
        started = time.monotonic()
        for number, step in enumerate(STEPS, start=1):
            ctx.write(self.style.MIGRATE_HEADING(f"[{number}/{len(STEPS)}] {step.name}"))
            counts = step.run(ctx)
            ctx.write("    " + ", ".join(f"{name}: {value}" for name, value in counts.items()))
        ctx.write(
            self.style.SUCCESS(
                _("Demo data loaded in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
            )
        )
