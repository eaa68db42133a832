"""The audit of personal data shown unmasked (issue 11 §1): one row per record and response.

Wherever a clear value of an audited field leaves the portal for a person or a service — the
admin's account form, the accounts API for managers and the CRM, the accounts export — the
surface calls `personal_data_viewed` with the records and the fields it showed; a record whose
fields are all empty was shown nothing and gets no row. Reveals (an order's data asked for with a
reason) keep their own record, `PersonalDataReveal`. What is audited where is the table in
README.md (privacy) and tests/config/test_personal_data_audit.py.
"""

from django.utils import timezone

from campaigns.models import PersonalDataView, SubjectType

# The fields whose clear value is audited, per kind of record: the ones encrypted at rest.
AUDITED_FIELDS = {
    SubjectType.ACCOUNT: ("contact_phone", "email"),
    SubjectType.ORDER: ("contact_phone", "connection_address", "registration_address"),
}
BATCH = 1000


def personal_data_viewed(
    *, user, surface: str, subject_type: str, records, fields=None, now=None
) -> int:
    """Audit rows for `records` shown to `user` on `surface` with `fields` (by default every
    audited field) unmasked; the number written."""
    shown = list(fields or AUDITED_FIELDS[subject_type])
    now = now or timezone.now()
    rows = []
    for record in records:
        present = [name for name in shown if getattr(record, name, "")]
        if present:
            rows.append(
                PersonalDataView(
                    user=user,
                    subject_type=subject_type,
                    subject_id=record.pk,
                    fields=present,
                    surface=surface,
                    viewed_at=now,
                )
            )
    PersonalDataView.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
