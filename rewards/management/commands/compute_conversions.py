"""`python manage.py compute_conversions --month YYYY-MM`: the monthly job, with its progress."""

import time

from django.core.management.base import BaseCommand, CommandError

from rewards import calendar, services


class Command(BaseCommand):
    help = "Compute the agents' conversions, rewards and the campaign funnels of a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="YYYY-MM (default: the running month).")

    def handle(self, *args, month, **options):
        try:
            first_day = calendar.parse_month(month)
        except calendar.MonthError as error:
            raise CommandError(f"{error.message} ({error.code})") from error
        started = time.perf_counter()
        run = services.conversions_compute(month=first_day, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"{calendar.month_key(first_day)}: {run.agents} agents, {run.orders} orders "
                f"(run {run.runs}) in {time.perf_counter() - started:.1f} s"
            )
        )
