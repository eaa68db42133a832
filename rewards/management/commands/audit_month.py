"""`python manage.py audit_month YYYY-MM`: recompute a month from the raw events and report every
difference from the stored figures and statements; exit code 1 when anything differs."""

from django.core.management.base import BaseCommand, CommandError

from rewards import calendar
from rewards.audit import audit_month


class Command(BaseCommand):
    help = (
        "Recompute a month from the raw events (orders, status history, results, rules, team "
        "history) and report every difference from the stored figures and statements; exit "
        "code 1 when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")

    def handle(self, *args, month, **options):
        try:
            first_day = calendar.parse_month(month)
        except calendar.MonthError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        differences = audit_month(first_day)
        key = calendar.month_key(first_day)
        for difference in differences:
            self.stdout.write(f"{key} {difference}")
        if differences:
            self.stderr.write(f"{key}: {len(differences)} difference(s)")
            if any(d.where == "month" for d in differences):
                self.stderr.write(
                    f"{key}: compute it first: manage.py compute_conversions --month {key}"
                )
            raise SystemExit(1)
        self.stdout.write(f"{key}: the stored figures and statements agree with the events")
