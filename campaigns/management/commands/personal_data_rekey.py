"""python manage.py personal_data_rekey: personal data at rest under the current keys."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigns.orders.services.rekey import personal_data_rekey
from campaigns.personal_data import PersonalDataKeyError


class Command(BaseCommand):
    help = (
        "Re-encrypt every order's and account's personal data under the first key of "
        "ORDER_PASSPORT_KEY and take every digest again with PERSONAL_DATA_HASH_KEY (after a "
        "rotation; the old keys can go once it has run)."
    )

    def handle(self, *args, **options):
        try:
            report = personal_data_rekey()
        except PersonalDataKeyError as error:
            raise CommandError(
                _("A stored value does not open with the configured keys: %(error)s")
                % {"error": error}
            ) from error
        self.stdout.write(
            _("Re-keyed: %(orders)d orders, %(accounts)d accounts.")
            % {"orders": report.orders, "accounts": report.accounts}
        )
