"""python manage.py import_targets FILE.xlsx|csv: attach accounts to campaigns (target lists)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigns.services.targets import TargetFileError, read_target_file, targets_import

SHOWN_REJECTS = 50


class Command(BaseCommand):
    help = "Attach accounts to campaigns from a .csv or .xlsx file (account number, campaign code)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--campaign",
            help="The campaign code for every row: the file then needs only account numbers.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")
        parser.add_argument(
            "--skip-rejected",
            action="store_true",
            help="Import the valid rows even when some are rejected (they are still reported).",
        )

    def handle(self, *args, file: Path, dry_run: bool, skip_rejected: bool, **options):
        if not file.exists():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        self.verbosity = options["verbosity"]
        try:
            rows = list(
                read_target_file(file.name, file.read_bytes(), campaign=options.get("campaign"))
            )
            report = targets_import(
                rows=rows, apply=not dry_run, skip_rejected=skip_rejected, progress=self.progress
            )
        except TargetFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        for reject in report.rejected[:SHOWN_REJECTS]:
            self.stdout.write(
                _("line %(line)s: %(account)s / %(campaign)s: %(message)s")
                % {
                    "line": reject.line,
                    "account": reject.account or "—",
                    "campaign": reject.campaign or "—",
                    "message": reject.message,
                }
            )
        if len(report.rejected) > SHOWN_REJECTS:
            self.stdout.write(
                _("… and %(count)d more rejected rows.")
                % {"count": len(report.rejected) - SHOWN_REJECTS}
            )
        summary = _("%(rows)d rows, %(rejected)d rejected, %(created)d targets added.") % {
            "rows": report.rows,
            "rejected": len(report.rejected),
            "created": report.created,
        }
        if report.already or report.outside_segments:
            self.stdout.write(
                _(
                    "%(already)d already on the list (left as they are), %(outside)d outside "
                    "the campaign's segments."
                )
                % {"already": len(report.already), "outside": len(report.outside_segments)}
            )
        if report.applied:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        self.stdout.write(self.style.WARNING(summary))
        if report.rejected and not dry_run:
            raise CommandError(
                _("Nothing was imported: fix the rejected rows or use --skip-rejected.")
            )

    def progress(self, stage: str, done: int, total: int):
        if self.verbosity == 0:
            return
        label = {"check": _("checking"), "write": _("writing")}[stage]
        bar = "#" * int(30 * done / max(total, 1))
        self.stdout.write(f"\r{label:>10} [{bar:<30}] {done}/{total}", ending="")
        self.stdout.flush()
