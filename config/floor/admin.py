"""Shared admin plumbing: the unfold base classes every app's admin builds on, and the unfold look
for the admins that come with Django (users, groups) and with Celery (task results, schedules)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_results.admin import GroupResultAdmin as BaseGroupResultAdmin
from django_celery_results.admin import TaskResultAdmin as BaseTaskResultAdmin
from django_celery_results.models import GroupResult, TaskResult
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ImportForm, SelectableFieldsExportForm
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

ERR_IMPORT_ROLLED_BACK = _(
    "Nothing was imported: rows %(rows)s have errors. Fix the file and import it again."
)


class PortalModelAdmin(ModelAdmin):
    """The unfold admin with the portal's defaults."""

    list_filter_submit = True
    list_per_page = 50
    warn_unsaved_form = True


class HistoryModelAdmin(SimpleHistoryAdmin, PortalModelAdmin):
    """An admin with django-simple-history's change history, diffs and revert."""


class ImportExportModelAdmin(ImportExportMixin, PortalModelAdmin):
    """Import and export (csv, xlsx) with a preview step; an import is all or nothing.

    The preview (a dry run) offers no confirmation while any row has an error. The confirmation
    re-runs the import in one transaction and rolls it back when any row fails, so a file that
    went bad between the two steps (say, a service was deleted) still imports nothing.
    """

    formats = [base_formats.CSV, base_formats.XLSX]
    import_form_class = ImportForm
    export_form_class = SelectableFieldsExportForm

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            rows = sorted({row.number for row in [*result.error_rows, *result.invalid_rows]})
            messages.error(
                request, ERR_IMPORT_ROLLED_BACK % {"rows": ", ".join(map(str, rows)) or "—"}
            )
            return self._redirect_to_import(request)
        return super().process_result(result, request)

    def _redirect_to_import(self, request):
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
        )


class ImportExportHistoryModelAdmin(SimpleHistoryAdmin, ImportExportModelAdmin):
    """History with diffs and revert, plus the all-or-nothing import and export."""


# Django's own users and groups, in the unfold look.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, PortalModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "last_name", "first_name", "email", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    warn_unsaved_form = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, PortalModelAdmin):
    pass


# Celery's task results and beat schedules, in the unfold look.
admin.site.unregister(TaskResult)
admin.site.unregister(GroupResult)
for _model in (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    admin.site.unregister(_model)


@admin.register(TaskResult)
class TaskResultAdmin(BaseTaskResultAdmin, PortalModelAdmin):
    warn_unsaved_form = False


@admin.register(GroupResult)
class GroupResultAdmin(BaseGroupResultAdmin, PortalModelAdmin):
    warn_unsaved_form = False


class UnfoldTaskSelectWidget(UnfoldAdminSelectWidget, beat_admin.TaskSelectWidget):
    pass


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = UnfoldTaskSelectWidget()


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin, PortalModelAdmin):
    form = PeriodicTaskForm


class PeriodicTaskInline(beat_admin.PeriodicTaskInline, TabularInline):
    pass


class ScheduleAdmin(PortalModelAdmin):
    inlines = [PeriodicTaskInline]


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(ScheduleAdmin):
    pass


@admin.register(SolarSchedule)
class SolarScheduleAdmin(ScheduleAdmin):
    pass


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin, ScheduleAdmin):
    pass


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(beat_admin.ClockedScheduleAdmin, ScheduleAdmin):
    pass
