"""Shared admin plumbing: the unfold base classes every app's admin builds on, and the unfold look
for the admins that come with Django (users, groups) and with Celery (task results, schedules)."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import NestedObjects
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import F, OrderBy
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
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
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ImportForm, SelectableFieldsExportForm
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from config.floor import personal, roles
from config.floor.history import ReadableHistory
from config.floor.ids import parse_id
from config.floor.spreadsheets import PortalCSV, PortalXLSX

ERR_IMPORT_ROLLED_BACK = _(
    "Nothing was imported: rows %(rows)s have errors. Fix the file and import it again."
)


# Titles with the model's name where its nominative is grammatical in any language: Django's
# «Добавить кампания» and «Выберите кампания для изменения» do not agree in Russian.
TITLE_ADD = _("%(name)s: new")
TITLE_OBJECT = _("%(name)s “%(object)s”")
# A row of an automatic many-to-many table (an offer's segments), named by both of its ends.
LINK = _("Link: %(from_name)s “%(from)s” — %(to_name)s “%(to)s”")
LINKS = _("links")


class PersonChoiceField(forms.ModelChoiceField):
    """People by name («Смирнова Ольга»), their login only when they have no name."""

    def label_from_instance(self, user):
        full_name = f"{user.last_name} {user.first_name}".strip()
        return full_name or user.username


def marketing_managers():
    """The people an owner is chosen among: active marketing managers, by surname."""
    return (
        get_user_model()
        .objects.filter(groups__name=roles.MANAGERS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def owner_field(db_field, kwargs):
    """formfield_for_foreignkey's arguments for an owner: managers by name."""
    return {**kwargs, "queryset": marketing_managers(), "form_class": PersonChoiceField}


def month_label(day) -> str:
    """A month as a list shows it: «Ноябрь 2026» (the first day stored, never «1 ноября»)."""
    return capfirst(formats.date_format(day, "F Y"))


def breakable(code: str) -> str:
    """A code that may break after its underscores in a narrow column («Антивирус_vo12_CRM_MR03»)."""
    return format_html_join(mark_safe("_<wbr>"), "{}", ((part,) for part in code.split("_")))


def admin_title(opts, obj=None) -> str:
    """The title of a model's add form (no object) or of an object's page."""
    name = capfirst(opts.verbose_name)
    if obj is None or obj.pk is None:
        return TITLE_ADD % {"name": name}
    return TITLE_OBJECT % {"name": name, "object": obj}


def _is_link(model) -> bool:
    return model._meta.auto_created and len(model._meta.concrete_fields) == 3


def describe_link(row) -> str:
    """«Связь: предложение «Кино» — сегмент «Массовый»» instead of «Offer_segments object (4)»."""
    source, target = (f for f in row._meta.concrete_fields if f.is_relation)
    return LINK % {
        "from_name": source.related_model._meta.verbose_name,
        "from": getattr(row, source.name),
        "to_name": target.related_model._meta.verbose_name,
        "to": getattr(row, target.name),
    }


def deleted_objects(objs, request, admin_site):
    """Django's list of what a deletion takes with it, with the links between objects in words.

    As django.contrib.admin.utils.get_deleted_objects, except that a row of an automatic
    many-to-many table is named by the two objects it joins and counted as a link.
    """
    if not objs:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(objs[0]._meta.model), origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        opts = obj._meta
        if _is_link(obj.__class__):
            return describe_link(obj)
        plain = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(obj.__class__):
            return plain
        if not admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", None, (obj.pk,)
            )
        except NoReverseMatch:
            return plain
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {}
    for model, rows in collector.model_objs.items():
        name = str(LINKS) if _is_link(model) else str(model._meta.verbose_name_plural)
        model_count[name] = model_count.get(name, 0) + len(rows)
    return to_delete, model_count, perms_needed, protected


# A regular expression from the URL: an invalid one was a database error (a 500), a slow one
# ties the database up, and no list needs one. Refused on every field.
REFUSED_LOOKUPS = frozenset({"regex", "iregex"})


class PersonalDataAdminMixin:
    """No list narrowed, searched or sorted by a personal field its viewer may not see
    (config.floor.personal): such a lookup or sort in the URL is a 400 (Django's
    DisallowedModelAdminLookup), such search fields are left out, such columns are not sortable.
    Regular-expression lookups are refused on every field."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.rpartition("__")[2] in REFUSED_LOOKUPS:
            return False
        if request is not None and personal.refused_path(request.user, self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [
            name
            for name in super().get_search_fields(request)
            if not personal.refused_path(request.user, self.model, name.lstrip("=^@"))
        ]

    def get_sortable_by(self, request):
        return [
            name
            for name in super().get_sortable_by(request)
            if not self._refused_column(request, name)
        ]

    # Personal field → the column of its keyed digest (a field with a `digest(value)` method):
    # encrypted at rest, such a field is searched only by its exact value, and only by a role
    # that may see it; the search term, whole, is looked up as well as the search fields.
    digest_search_fields: dict[str, str] = {}

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        for name, digest_column in self.digest_search_fields.items():
            if not search_term.strip() or not personal.may_see(request.user, self.model, name):
                continue
            digest = self.model._meta.get_field(digest_column).digest(search_term)
            if digest:
                found |= queryset.filter(**{digest_column: digest})
        return found, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        self._refuse_personal_ordering(request)
        return super().changelist_view(request, extra_context)

    def _refuse_personal_ordering(self, request):
        columns = list(self.get_list_display(request))
        if self.get_actions(request) and IS_POPUP_VAR not in request.GET:
            columns = ["action_checkbox", *columns]
        for part in request.GET.get(ORDER_VAR, "").split("."):
            index = part.rpartition("-")[2]
            position = parse_id(index)
            column = columns[position] if position is not None and position < len(columns) else None
            if column is not None and self._refused_column(request, column):
                raise DisallowedModelAdminLookup(f"Sorting by {column!r}")

    def _refused_column(self, request, name) -> bool:
        order_field = _order_field(self, name)
        return bool(order_field) and personal.refused_path(request.user, self.model, order_field)


def _order_field(model_admin, name) -> str | None:
    """The field a list column sorts by (the column's own field or its admin_order_field)."""
    if callable(name):
        attr = name
    else:
        attr = getattr(model_admin, name, None) or getattr(model_admin.model, name, None)
        if attr is None or (not callable(attr) and not isinstance(attr, property)):
            return name
    if isinstance(attr, property):
        attr = attr.fget
    order = getattr(attr, "admin_order_field", None)
    if isinstance(order, OrderBy):
        order = order.expression
    if isinstance(order, F):
        order = order.name
    return order if isinstance(order, str) else None


class PortalModelAdmin(PersonalDataAdminMixin, ModelAdmin):
    """The unfold admin with the portal's defaults, titled in Russian that agrees; no list
    narrowed, searched or sorted by personal data its viewer may not see."""

    list_filter_submit = True
    list_per_page = 50
    warn_unsaved_form = True

    def changelist_view(self, request, extra_context=None):
        title = capfirst(self.model._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        defaults = {gettext(pattern) % self.opts.verbose_name for pattern in DJANGO_TITLES}
        if context.get("title") in defaults:
            context["title"] = admin_title(self.opts, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_deleted_objects(self, objs, request):
        return deleted_objects(objs, request, self.admin_site)


DJANGO_TITLES = ("Add %s", "Change %s", "View %s")


REVERTED = _("Reverted to the version of %(date)s")


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history as a person reads it (config.floor.history): no entry for a save
    that changed nothing, and a revert recorded as one, with the version it went back to."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting_to = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "reverting_to", None)
        if version_id is not None:
            version = obj.history.filter(history_id=version_id).first()
            if version is not None:
                date = formats.date_format(
                    timezone.localtime(version.history_date), "SHORT_DATETIME_FORMAT"
                )
                obj._change_reason = REVERTED % {"date": date}
        elif change and not form.has_changed():
            obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        finally:
            obj.__dict__.pop("skip_history_when_saving", None)


class HistoryModelAdmin(ReadableHistoryAdmin, PortalModelAdmin):
    """An admin with django-simple-history's change history, diffs and revert."""


class StyledExportMixin:
    """Exports through config.floor.spreadsheets.PortalXLSX keep numbers and dates as such
    (django-import-export does so only for its own xlsx class, by exact type)."""

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not isinstance(file_format, PortalXLSX):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)


class ImportExportModelAdmin(StyledExportMixin, ImportExportMixin, PortalModelAdmin):
    """Import and export (csv, xlsx) with a preview step; an import is all or nothing. An xlsx
    export is styled for reading (config.floor.spreadsheets: widths, money, dates).

    The preview (a dry run) offers no confirmation while any row has an error. The confirmation
    re-runs the import in one transaction and rolls it back when any row fails, so a file that
    went bad between the two steps (say, a service was deleted) still imports nothing.
    """

    formats = [PortalCSV, PortalXLSX]
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


class ImportExportHistoryModelAdmin(ReadableHistoryAdmin, ImportExportModelAdmin):
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


def _guard_personal_data(*models):
    """Admins that come with libraries (tokens, login attempts) reach users and through them
    orders: the same guard on their lists."""
    for model in models:
        base = type(admin.site._registry[model])
        admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (PersonalDataAdminMixin, base), {}))


_guard_personal_data(TokenProxy, AccessAttempt, AccessLog, AccessFailureLog)
